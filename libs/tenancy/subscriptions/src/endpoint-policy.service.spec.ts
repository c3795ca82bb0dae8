import { lookupHostAddresses } from './endpoint-policy.service';

// The real resolver without network traffic: `localhost` comes from the hosts file and `.invalid`
// never resolves (RFC 6761).
describe('lookupHostAddresses', () => {
  it('returns every address of a name', async () => {
    const addresses = await lookupHostAddresses('localhost');
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(['127.0.0.1', '::1']).toContain(address);
  });

  it('returns nothing for a name that does not resolve', async () => {
    expect(await lookupHostAddresses('does-not-exist.invalid')).toEqual([]);
  });
});
