import { z } from 'zod';
import { fieldPath, validateWith } from './validation-messages';

const errorsOf = (schema: z.ZodType, value: unknown) => {
  const result = validateWith(schema, value);
  return result.success ? [] : result.errors;
};

describe('validation messages', () => {
  it('says what is wrong in our words, not the library’s', () => {
    const schema = z.object({ name: z.string(), tags: z.array(z.string()).max(2), kind: z.enum(['a', 'b']), n: z.number().int().min(1) }).strict();
    expect(errorsOf(schema, { name: 1, tags: ['x', 'y', 'z'], kind: 'c', n: 0.5, extra: true })).toEqual([
      { field: 'name', message: 'must be a string' },
      { field: 'tags', message: 'must have at most 2 entries' },
      { field: 'kind', message: 'must be one of "a", "b"' },
      { field: 'n', message: 'must be a whole number' },
      { field: 'extra', message: 'unknown field' },
    ]);
    expect(errorsOf(schema, { name: 'x', tags: ['x', 2], kind: 'a', n: 0 })).toEqual([
      { field: 'tags[1]', message: 'must be a string' },
      { field: 'n', message: 'must be at least 1' },
    ]);
    expect(errorsOf(schema, {})).toEqual(expect.arrayContaining([{ field: 'name', message: 'is required' }]));
    expect(errorsOf(z.object({ m: z.record(z.string(), z.unknown()) }), { m: null })).toEqual([{ field: 'm', message: 'must not be null' }]);
    expect(errorsOf(z.object({ s: z.string().min(1) }), { s: '' })).toEqual([{ field: 's', message: 'must not be empty' }]);
  });

  it('keeps the messages a schema gives itself', () => {
    expect(errorsOf(z.object({ n: z.number().max(9, 'must be 0..9') }), { n: 10 })).toEqual([{ field: 'n', message: 'must be 0..9' }]);
  });

  it('tells a malformed value (400) from an invalid one (422)', () => {
    const cursor = z.string().refine(() => false, { message: 'bad cursor', params: { malformed: true } });
    expect(validateWith(z.object({ cursor }), { cursor: 'x' })).toMatchObject({ success: false, malformed: true });
    expect(validateWith(z.object({ n: z.number() }), { n: 'x' })).toMatchObject({ success: false, malformed: false });
  });

  it('writes array positions in brackets', () => {
    expect(fieldPath(['data', 'items', 2, 'name'])).toBe('data.items[2].name');
    expect(fieldPath([0])).toBe('[0]');
  });
});
