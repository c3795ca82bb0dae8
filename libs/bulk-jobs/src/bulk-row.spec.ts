import { parseBulkRow } from './bulk-row';

describe('parseBulkRow', () => {
  it('takes { type, data, idempotencyKey? } as POST /events does', () => {
    expect(parseBulkRow('{"type":"invoice.paid","data":{"b":1,"a":[null]},"idempotencyKey":"k"}')).toEqual({
      input: { type: 'invoice.paid', data: { b: 1, a: [null] }, idempotencyKey: 'k' },
    });
    expect(parseBulkRow('{"type":"a","data":null}')).toEqual({ input: { type: 'a', data: null } });
  });

  it.each([
    ['{"type":"a",', /^not valid JSON: /],
    ['"just a string"', /^must be a JSON object/],
    ['[{"type":"a","data":1}]', /^must be a JSON object/],
    ['{"type":"a","data":1,"extra":true}', /^extra: unknown field$/],
    ['{"type":"no spaces","data":1}', /^type: must be dot-separated letters, digits, _ or -$/],
    [`{"type":"${'a'.repeat(129)}","data":1}`, /^type: must be at most 128 characters/],
    ['{"data":1}', /^type: /],
    ['{"type":"a"}', /^data: /],
    ['{"type":"a","data":1,"idempotencyKey":""}', /^idempotencyKey: must not be empty$/],
    [`{"type":"a","data":1,"idempotencyKey":"${'k'.repeat(256)}"}`, /^idempotencyKey: must be at most 255 characters$/],
  ])('refuses %s', (text, error) => {
    expect(parseBulkRow(text).error).toMatch(error);
  });
});
