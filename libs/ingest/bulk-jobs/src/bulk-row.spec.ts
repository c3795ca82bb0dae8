import { parseBulkRow } from './bulk-row';

describe('parseBulkRow', () => {
  it('takes { type, data, idempotencyKey? } as POST /events does', () => {
    expect(parseBulkRow('{"type":"invoice.paid","data":{"b":1,"a":[null]},"idempotencyKey":"k"}')).toEqual({
      input: { type: 'invoice.paid', data: { b: 1, a: [null] }, idempotencyKey: 'k' },
    });
  });

  it.each([
    ['{"type":"a",', /^not valid JSON: /],
    ['"just a string"', /^must be a JSON object/],
    ['[{"type":"a","data":1}]', /^must be a JSON object/],
    ['{"type":"a","data":1,"extra":true}', /^extra: unknown field$/],
    ['{"type":"no spaces","data":1}', /^type: must be dot-separated letters, digits, _ or -$/],
    [`{"type":"${'a'.repeat(129)}","data":1}`, /^type: must be at most 128 characters/],
    ['{"data":1}', /^type: /],
    ['{"type":"a"}', /^data: is required$/],
    ['{"type":"a","data":null}', /^data: is required$/],
    ['{"type":"a","data":{"items":[1,"x\\u0000"]}}', /^data\.items\[1\]: must not contain the NUL character \(U\+0000\)$/],
    ['{"type":"a","data":{"k\\ud800":1}}', /^data\["k\\ud800"\]: has a key that must be valid Unicode/],
    ['{"type":"a","data":1,"idempotencyKey":"k\\udc00"}', /^idempotencyKey: must be valid Unicode/],
    ['{"type":"a\\u0000","data":1}', /^type: must not contain the NUL/],
    [`{"type":"a","data":${'['.repeat(65)}${']'.repeat(65)}}`, /^data.*: nests deeper than 64 levels$/],
    ['{"type":1,"data":1}', /^type: must be a string$/],
    ['{"type":"a","data":1,"idempotencyKey":""}', /^idempotencyKey: must not be empty$/],
    [`{"type":"a","data":1,"idempotencyKey":"${'k'.repeat(256)}"}`, /^idempotencyKey: must be at most 255 characters$/],
  ])('refuses %s', (text, error) => {
    expect(parseBulkRow(text).error).toMatch(error);
  });
});
