import { compileJsonSchema, dataFieldErrors, MAX_DATA_ERRORS } from './json-schema';

function errorsOf(schema: Record<string, unknown>, data: unknown) {
  const compiled = compileJsonSchema(schema);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.validate(data) ? [] : dataFieldErrors(compiled.validate.errors ?? []);
}

describe('compileJsonSchema', () => {
  it('refuses a schema that breaks the meta-schema, naming the offending keyword', () => {
    expect(compileJsonSchema({ type: 'nope' })).toEqual({ ok: false, message: expect.stringContaining('schema/type') });
    expect(compileJsonSchema({ required: 'id' })).toEqual({ ok: false, message: expect.stringContaining('schema/required must be array') });
  });

  it('refuses a schema whose $ref cannot be resolved, and one in an unsupported dialect', () => {
    expect(compileJsonSchema({ $ref: '#/definitions/missing' })).toEqual({ ok: false, message: expect.stringContaining("can't resolve reference") });
    expect(compileJsonSchema({ $ref: 'https://example.com/remote.json' }).ok).toBe(false);
    expect(compileJsonSchema({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' }).ok).toBe(false);
  });

  it('ignores unknown keywords and formats, as JSON Schema asks', () => {
    expect(compileJsonSchema({ type: 'string', format: 'no-such-format', 'x-owner': 'billing' }).ok).toBe(true);
  });

  it('compiles draft-07 by default and 2020-12 when asked', () => {
    expect(errorsOf({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'string' }] }, [1])).toEqual([
      { field: 'data.0', message: 'must be string' },
    ]);
    expect(errorsOf({ type: 'string', format: 'email' }, 'not an email')).toEqual([{ field: 'data', message: 'must match format "email"' }]);
  });

  it('compiles the same $id twice (schemas are not kept in the shared registry)', () => {
    const schema = () => ({ $id: 'https://hookline.dev/s/order', type: 'object', properties: { child: { $ref: '#' }, n: { type: 'integer' } } });
    expect(compileJsonSchema(schema()).ok).toBe(true);
    expect(errorsOf(schema(), { child: { n: 1.5 } })).toEqual([{ field: 'data.child.n', message: 'must be integer' }]);
  });
});

describe('dataFieldErrors', () => {
  const schema = {
    type: 'object',
    required: ['id'],
    additionalProperties: false,
    properties: { id: { type: 'string' }, 'a/b~c': { type: 'object', properties: { items: { type: 'array', items: { type: 'integer' } } } } },
  };

  it('names every failing field under data, including missing and unexpected properties', () => {
    expect(errorsOf(schema, { extra: true, 'a/b~c': { items: [1, 'two'] } })).toEqual([
      { field: 'data.id', message: "must have required property 'id'" },
      { field: 'data.extra', message: 'must NOT have additional properties' },
      { field: 'data.a/b~c.items.1', message: 'must be integer' },
    ]);
  });

  it('names data itself when the root is wrong', () => {
    expect(errorsOf(schema, 'text')).toEqual([{ field: 'data', message: 'must be object' }]);
  });

  it(`stops at ${MAX_DATA_ERRORS} errors`, () => {
    const many = errorsOf(
      { type: 'array', items: { type: 'integer' } },
      Array.from({ length: 80 }, () => 'x'),
    );
    expect(many).toHaveLength(MAX_DATA_ERRORS);
    expect(many[MAX_DATA_ERRORS - 1]).toEqual({ field: `data.${MAX_DATA_ERRORS - 1}`, message: 'must be integer' });
  });
});
