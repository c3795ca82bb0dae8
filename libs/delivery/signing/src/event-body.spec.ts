import { eventBody } from './event-body';

const fields = { id: 'evt_01J0000000000000000000000', type: 'invoice.paid', timestamp: '2026-01-02T03:04:05.678Z' };

describe('eventBody', () => {
  it('writes compact JSON with keys in contract order', () => {
    expect(eventBody({ ...fields, data: { b: 1, a: [true, null], s: 'é"' } })).toBe(
      '{"id":"evt_01J0000000000000000000000","type":"invoice.paid","timestamp":"2026-01-02T03:04:05.678Z","data":{"b":1,"a":[true,null],"s":"é\\""}}',
    );
  });

  it('embeds already-serialised data as is', () => {
    expect(eventBody({ ...fields, dataJson: '{"z":1,"a":2}' })).toBe(
      '{"id":"evt_01J0000000000000000000000","type":"invoice.paid","timestamp":"2026-01-02T03:04:05.678Z","data":{"z":1,"a":2}}',
    );
  });

  it('gives the same bytes for a value and its serialised form', () => {
    const data = { amount: 1200, currency: 'eur', lines: [{ id: 'li_1' }] };
    expect(eventBody({ ...fields, dataJson: JSON.stringify(data) })).toBe(eventBody({ ...fields, data }));
  });

  it('formats a Date timestamp as ISO-8601 UTC', () => {
    const body = eventBody({ ...fields, timestamp: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), data: null });
    expect(body).toBe('{"id":"evt_01J0000000000000000000000","type":"invoice.paid","timestamp":"2026-01-02T03:04:05.678Z","data":null}');
  });

  it('refuses data that has no JSON form', () => {
    expect(() => eventBody({ ...fields, data: undefined })).toThrow(TypeError);
  });
});
