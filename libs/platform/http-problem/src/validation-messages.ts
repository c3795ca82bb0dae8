import type { z } from 'zod';
import type { FieldError } from './problem.exception';

type RawIssue = z.core.$ZodRawIssue;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  date: 'a date',
  bigint: 'a whole number',
};

const count = (n: number | bigint, one: string, many: string) => `${n} ${Number(n) === 1 ? one : many}`;

/**
 * Our wording for an issue whose schema gave no message of its own ("data is required",
 * "name must be a string"), in place of zod's ("Invalid input: expected string, received undefined").
 */
export function validationMessage(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.expected === 'nonoptional') return 'is required';
      if (issue.input === null) return 'must not be null';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) === 1 ? 'must not be empty' : `must be at least ${count(issue.minimum, 'character', 'characters')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at least ${count(issue.minimum, 'entry', 'entries')}`;
      return `must be at least ${issue.minimum}${issue.inclusive === false ? ' (exclusive)' : ''}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${count(issue.maximum, 'character', 'characters')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at most ${count(issue.maximum, 'entry', 'entries')}`;
      return `must be at most ${issue.maximum}${issue.inclusive === false ? ' (exclusive)' : ''}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' ? 'is not in the expected format' : `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_union':
      return 'is not any of the accepted forms';
    case 'invalid_key':
      return 'has a key that is not valid';
    case 'invalid_element':
      return 'has an entry that is not valid';
    default:
      return 'is not valid';
  }
}

interface IssueLike {
  path: PropertyKey[];
  message: string;
  code: string;
  keys?: string[];
}

/** `['data', 'items', 2, 'name']` -> `data.items[2].name`. */
export function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>((field, key) => (typeof key === 'number' ? `${field}[${key}]` : field ? `${field}.${String(key)}` : String(key)), '');
}

export function zodFieldErrors(issues: IssueLike[]): FieldError[] {
  return issues.flatMap((issue) => {
    const base = fieldPath(issue.path);
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      return issue.keys.map((key) => ({ field: base ? `${base}.${key}` : key, message: 'unknown field' }));
    }
    return [{ field: base || 'body', message: issue.message }];
  });
}

/** True when any issue was raised with `params: { malformed: true }`: a request we cannot even read (400, not 422). */
export function isMalformed(issues: ReadonlyArray<{ code: string; params?: Record<string, unknown> }>): boolean {
  return issues.some((issue) => issue.code === 'custom' && issue.params?.malformed === true);
}

export type Validated<T> = { success: true; data: T } | { success: false; errors: FieldError[]; malformed: boolean };

/** `schema.safeParse` with our wording, and the failures as field errors. */
export function validateWith<T>(schema: z.ZodType<T>, value: unknown): Validated<T> {
  const parsed = schema.safeParse(value, { error: validationMessage });
  if (parsed.success) return { success: true, data: parsed.data };
  const issues = parsed.error.issues as unknown as Array<IssueLike & { params?: Record<string, unknown> }>;
  return { success: false, errors: zodFieldErrors(issues), malformed: isMalformed(issues) };
}
