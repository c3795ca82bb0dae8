import { exampleFromSchema } from '../../web/src/lib/example-from-schema';

describe('exampleFromSchema (test event prefill)', () => {
  it('builds an object with every property, honouring formats and bounds', () => {
    const schema = {
      type: 'object',
      required: ['id', 'amount', 'currency'],
      properties: {
        id: { type: 'string', minLength: 10 },
        amount: { type: 'integer', minimum: 100 },
        ratio: { type: 'number', exclusiveMaximum: 0 },
        currency: { type: 'string', enum: ['EUR', 'USD'] },
        paidAt: { type: 'string', format: 'date-time' },
        email: { type: 'string', format: 'email' },
        live: { type: 'boolean' },
        lines: { type: 'array', minItems: 2, items: { type: 'object', properties: { sku: { type: 'string', maxLength: 3 } } } },
        note: { type: ['string', 'null'] },
      },
    };
    expect(exampleFromSchema(schema)).toEqual({
      id: 'example000',
      amount: 100,
      ratio: -0.5,
      currency: 'EUR',
      paidAt: '2026-01-01T12:00:00Z',
      email: 'jane@example.com',
      live: true,
      lines: [{ sku: 'exa' }, { sku: 'exa' }],
      note: 'example',
    });
  });

  it('prefers the example the schema gives', () => {
    expect(exampleFromSchema({ type: 'object', examples: [{ a: 1 }] })).toEqual({ a: 1 });
    expect(exampleFromSchema({ type: 'string', default: 'x' })).toBe('x');
    expect(exampleFromSchema({ const: 7 })).toBe(7);
  });

  it('follows local $refs and combines allOf, takes the first oneOf', () => {
    const schema = {
      $defs: { money: { type: 'object', properties: { cents: { type: 'integer', multipleOf: 5, minimum: 3 } } } },
      allOf: [{ $ref: '#/$defs/money' }, { type: 'object', properties: { kind: { oneOf: [{ const: 'card' }, { const: 'bank' }] } } }],
    };
    expect(exampleFromSchema(schema)).toEqual({ cents: 5, kind: 'card' });
  });

  it('gives {} for no schema, and stops at self-references', () => {
    expect(exampleFromSchema(null)).toEqual({});
    expect(exampleFromSchema({})).toEqual({});
    const looped = { type: 'object', properties: { child: { $ref: '#' } } };
    expect(() => JSON.stringify(exampleFromSchema(looped))).not.toThrow();
  });
});
