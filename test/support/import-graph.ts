import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

export const ROOT = join(__dirname, '../..');

/** Every `.ts`/`.tsx` file under `dir` (relative to the repo root), node_modules and dist skipped. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      if (name === 'node_modules' || name === 'dist') continue;
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(relative(ROOT, full));
    }
  };
  walk(join(ROOT, dir));
  return out.sort();
}

/** The module specifiers a file imports or re-exports, type-only imports included (TypeScript's own scanner). */
export function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles.map((imported) => imported.fileName);
}

/** `@hookline/<lib>` → its folder, from tsconfig.json's `paths` (the one list of libs). */
const LIB_PATHS = new Map(
  Object.entries((JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths).map(
    ([alias, [path]]) => [alias, path] as const,
  ),
);

/** The repo file a specifier names (relative paths and `@hookline/<lib>` aliases), or null for a package. */
export function resolveImport(from: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith('.')) base = join(dirname(from), specifier);
  else if (LIB_PATHS.has(specifier)) base = LIB_PATHS.get(specifier)!;
  else return null;
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (existsSync(join(ROOT, candidate))) return candidate;
  }
  return base;
}

/** Strongly connected groups of more than one file (or a file importing itself): the import cycles. */
export function importCycles(files: string[]): string[][] {
  const graph = new Map(
    files.map((file) => [
      file,
      importsOf(file)
        .map((s) => resolveImport(file, s))
        .filter((f): f is string => f !== null && files.includes(f)),
    ]),
  );
  return cyclesOf(graph);
}

/** Tarjan's strongly connected components over `graph` (file -> files it imports). */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!));
    }
    if (low.get(node) === indices.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1 || graph.get(node)!.includes(node)) cycles.push(group.sort());
    }
  };
  for (const file of graph.keys()) if (!indices.has(file)) visit(file);
  return cycles;
}
