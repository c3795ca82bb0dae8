/** Wildcards a customer is likely to want: one per dotted prefix in the catalogue (`invoice.*`). */
export function wildcardsFor(names: string[]): string[] {
  const prefixes = new Set<string>();
  for (const name of names) {
    const parts = name.split('.');
    for (let i = 1; i < parts.length; i++) prefixes.add(`${parts.slice(0, i).join('.')}.*`);
  }
  return [...prefixes].sort();
}
