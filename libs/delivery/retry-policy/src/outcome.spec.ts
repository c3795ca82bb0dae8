import { classifyOutcome } from './outcome';

describe('classifyOutcome', () => {
  it.each([200, 201, 204, 299])('%p succeeded', (statusCode) => {
    expect(classifyOutcome({ statusCode, error: null })).toBe('succeeded');
  });

  it('410 is gone', () => {
    expect(classifyOutcome({ statusCode: 410, error: null })).toBe('gone');
  });

  it.each([100, 199, 300, 301, 302, 304, 400, 404, 429, 500, 503])('%p is retried', (statusCode) => {
    expect(classifyOutcome({ statusCode, error: null })).toBe('retry');
  });

  it.each(['timeout after 15000ms', 'connection refused', 'dns lookup failed: example.invalid', 'tls error: CERT_HAS_EXPIRED'])('error %p is retried', (error) => {
    expect(classifyOutcome({ statusCode: null, error })).toBe('retry');
  });

  it('retries a 2xx whose response then stalled past the timeout', () => {
    expect(classifyOutcome({ statusCode: 200, error: 'timeout after 15000ms' })).toBe('retry');
  });
});
