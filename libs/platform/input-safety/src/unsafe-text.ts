/**
 * Hookline refuses, at the edge, text that Postgres cannot store (the NUL character) or that is not
 * valid Unicode (a lone UTF-16 surrogate), and JSON nested deeper than MAX_JSON_DEPTH. The same rule
 * holds on REST, gRPC and bulk upload, so a value accepted by one is accepted by all.
 */
export const MAX_JSON_DEPTH = 64;

export interface UnsafeText {
  /** Where the fault is, as a field path: `data.items[2].name`, or the root path itself. */
  field: string;
  message: string;
}

// Matching the control character NUL is the point.
// eslint-disable-next-line no-control-regex
const NUL = /\u0000/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why this string cannot be accepted, or null when it can. */
export function unsafeStringReason(text: string): string | null {
  if (NUL.test(text)) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (it contains a lone surrogate)';
  return null;
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

/**
 * The first string (value or object key) in `value` that cannot be accepted, the first number too
 * large for JSON, or the first place it nests deeper than `maxDepth`. Iterative, so a hostile document cannot overflow the stack.
 */
export function findUnsafeText(value: unknown, rootField: string, maxDepth = MAX_JSON_DEPTH): UnsafeText | null {
  const stack: Array<{ value: unknown; field: string; depth: number }> = [{ value, field: rootField, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, field, depth } = stack.pop()!;
    if (typeof current === 'string') {
      const reason = unsafeStringReason(current);
      if (reason) return { field, message: reason };
      continue;
    }
    // JSON.parse turns 1e400 into Infinity, which JSON cannot hold: stored, it would fail or become null.
    if (typeof current === 'number' && !Number.isFinite(current)) return { field, message: 'is a number too large to store' };
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) return { field, message: `nests deeper than ${maxDepth} levels` };
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], field: childPath(field, i), depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(current);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const reason = unsafeStringReason(key);
      const path = childPath(field, key);
      if (reason) return { field: path, message: `has a key that ${reason}` };
      stack.push({ value: (current as Record<string, unknown>)[key], field: path, depth: depth + 1 });
    }
  }
  return null;
}
