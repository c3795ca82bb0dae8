import { createHash } from 'node:crypto';

/** Key order does not matter: `{a,b}` and `{b,a}` are the same request for idempotency. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function publishRequestHash(type: string, data: unknown): string {
  return createHash('sha256').update(canonical({ type, data })).digest('hex');
}
