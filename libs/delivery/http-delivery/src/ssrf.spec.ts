import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { HttpDeliveryClient } from './http-delivery.client';
import type { TestReceiver } from './test-receiver';
import { startTestReceiver } from './test-receiver';

/** A resolver answering from a table, so no test depends on (or queries) real DNS. */
function fakeLookup(table: Record<string, string[]>): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    const addresses = table[hostname];
    if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '');
    const answer: LookupAddress[] = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (options.all) callback(null, answer);
    else callback(null, answer[0].address, answer[0].family);
  };
}

describe('HttpDeliveryClient SSRF policy (docs/contract.md#security-and-limits)', () => {
  let receiver: TestReceiver;
  let client: HttpDeliveryClient | undefined;

  beforeEach(async () => {
    receiver = await startTestReceiver((_req, res) => res.end('reached'));
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await receiver.close();
  });

  const blocking = (lookup?: LookupFunction) => (client = new HttpDeliveryClient({ timeoutMs: 2_000, allowPrivateNetworks: false, lookup }));
  const allowing = () => (client = new HttpDeliveryClient({ timeoutMs: 2_000, allowPrivateNetworks: true }));

  it('blocks an IP-literal loopback host before connecting', async () => {
    const outcome = await blocking().post(`http://127.0.0.1:${receiver.port}/`, '{}', {});
    expect(outcome).toMatchObject({ statusCode: null, error: 'blocked address 127.0.0.1 (loopback)' });
    expect(receiver.connections()).toBe(0);
  });

  it('blocks a hostname whose DNS answer is loopback, at connect time', async () => {
    const outcome = await blocking().post(`http://localhost:${receiver.port}/`, '{}', {});
    expect(outcome.error).toMatch(/^blocked address (127\.0\.0\.1|::1) \(loopback\)$/);
    expect(receiver.connections()).toBe(0);
  });

  it.each([
    [`http://[::ffff:127.0.0.1]:PORT/`, /^blocked address ::ffff:7f00:1 \(loopback\)$/],
    [`http://2130706433:PORT/`, /^blocked address 127\.0\.0\.1 \(loopback\)$/],
    [`http://0x7f.1:PORT/`, /^blocked address 127\.0\.0\.1 \(loopback\)$/],
  ])('blocks the disguised loopback literal %s', async (url, error) => {
    const outcome = await blocking().post(url.replace('PORT', String(receiver.port)), '{}', {});
    expect(outcome.error).toMatch(error);
    expect(receiver.connections()).toBe(0);
  });

  it('blocks private and metadata answers from DNS', async () => {
    const lookup = fakeLookup({ 'hooks.example.com': ['10.0.0.5'], 'meta.example.com': ['169.254.169.254'] });
    const c = blocking(lookup);
    expect((await c.post('http://hooks.example.com/', '{}', {})).error).toBe('blocked address 10.0.0.5 (private)');
    expect((await c.post('http://meta.example.com/', '{}', {})).error).toBe('blocked address 169.254.169.254 (cloud metadata address)');
  });

  it('reports a name that does not resolve', async () => {
    const outcome = await blocking(fakeLookup({})).post('https://nowhere.example.com/hook', '{}', {});
    expect(outcome).toMatchObject({ statusCode: null, error: 'dns lookup failed: nowhere.example.com' });
  });

  it.each(['127.0.0.1', 'localhost'])('allows %s when private networks are allowed', async (host) => {
    const outcome = await allowing().post(`http://${host}:${receiver.port}/`, '{}', {});
    expect(outcome).toMatchObject({ statusCode: 200, error: null, responseBody: 'reached' });
  });
});
