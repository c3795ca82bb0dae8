import { curlCommand, eventBody } from '../../web/src/portal/curl';
import { parseEventStream } from '../../web/src/lib/event-stream';
import { wildcardsFor } from '../../web/src/lib/event-type-patterns';

describe('parseEventStream (live delivery log)', () => {
  it('yields complete events and keeps an unfinished one for the next chunk', () => {
    const seen: [string, string][] = [];
    const rest = parseEventStream(': heartbeat\n\nevent: delivery\ndata: {"id":"dlv_1"}\n\nevent: delivery\ndata: {"id":', (e, d) => seen.push([e, d]));
    expect(seen).toEqual([['delivery', '{"id":"dlv_1"}']]);
    parseEventStream(`${rest}"dlv_2"}\r\n\r\n`, (e, d) => seen.push([e, d]));
    expect(seen).toEqual([
      ['delivery', '{"id":"dlv_1"}'],
      ['delivery', '{"id":"dlv_2"}'],
    ]);
  });

  it('joins multi-line data and defaults the event name to message', () => {
    const seen: [string, string][] = [];
    parseEventStream('data: a\ndata: b\n\n', (e, d) => seen.push([e, d]));
    expect(seen).toEqual([['message', 'a\nb']]);
  });
});

describe('wildcardsFor (endpoint form)', () => {
  it('offers one wildcard per dotted prefix of the catalogue', () => {
    expect(wildcardsFor(['invoice.paid', 'invoice.voided', 'customer.card.expired', 'ping'])).toEqual(['customer.*', 'customer.card.*', 'invoice.*']);
  });
});

describe('Copy as curl', () => {
  it('quotes for the shell and leaves out hop-by-hop headers', () => {
    const body = eventBody({ id: 'evt_1', type: 'a.b', createdAt: '2026-01-01T00:00:00.000Z', data: { note: "it's" } });
    expect(body).toBe(`{"id":"evt_1","type":"a.b","timestamp":"2026-01-01T00:00:00.000Z","data":{"note":"it's"}}`);
    expect(curlCommand('https://example.com/h', { 'webhook-id': 'evt_1', 'content-length': '10', host: 'example.com' }, body)).toBe(
      [
        `curl -X POST 'https://example.com/h'`,
        `  -H 'webhook-id: evt_1'`,
        `  --data-raw '{"id":"evt_1","type":"a.b","timestamp":"2026-01-01T00:00:00.000Z","data":{"note":"it'\\''s"}}'`,
      ].join(' \\\n'),
    );
  });
});
