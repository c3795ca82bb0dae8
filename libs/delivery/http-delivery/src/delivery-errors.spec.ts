import { BlockedAddressError, describeDeliveryError, ProxyError } from './delivery-errors';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });
const describe_ = (error: unknown) => describeDeliveryError(error, 'hooks.example.com', 15_000);

describe('describeDeliveryError', () => {
  it.each([
    [coded('ECONNREFUSED'), 'connection refused'],
    [coded('ENOTFOUND'), 'dns lookup failed: hooks.example.com'],
    [coded('EAI_AGAIN'), 'dns lookup failed: hooks.example.com'],
    [coded('UND_ERR_CONNECT_TIMEOUT'), 'timeout after 15000ms'],
    [coded('UND_ERR_HEADERS_TIMEOUT'), 'timeout after 15000ms'],
    [coded('CERT_HAS_EXPIRED'), 'tls error: CERT_HAS_EXPIRED'],
    [coded('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls error: ERR_TLS_CERT_ALTNAME_INVALID'],
    [coded('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls error: DEPTH_ZERO_SELF_SIGNED_CERT'],
    [coded('HPE_INVALID_CONSTANT'), 'invalid http response: HPE_INVALID_CONSTANT'],
    [coded('UND_ERR_INVALID_ARG', 'invalid x-custom header'), 'invalid request: invalid x-custom header'],
    [coded('EWHATEVER'), 'request failed: EWHATEVER'],
    [new Error('x'.repeat(500)), `request failed: ${'x'.repeat(200)}`],
    ['a string', 'request failed: a string'],
  ])('%p -> %p', (error, expected) => {
    expect(describe_(error)).toBe(expected);
  });

  it('looks inside the AggregateError of happy eyeballs', () => {
    expect(describe_(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]))).toBe('connection refused');
  });

  it('keeps a proxy error message, also when wrapped', () => {
    const refused = new ProxyError('proxy refused the tunnel to 203.0.113.9:443 (403)');
    expect(describe_(refused)).toBe('proxy refused the tunnel to 203.0.113.9:443 (403)');
    expect(describe_(new Error('connect failed', { cause: refused }))).toBe('proxy refused the tunnel to 203.0.113.9:443 (403)');
  });
  it('keeps the blocked-address message, also when wrapped', () => {
    const blocked = new BlockedAddressError('169.254.169.254', 'is a cloud metadata address');
    expect(describe_(blocked)).toBe('blocked address 169.254.169.254 (cloud metadata address)');
    expect(describe_(new Error('connect failed', { cause: blocked }))).toBe('blocked address 169.254.169.254 (cloud metadata address)');
  });
});
