import type { ResolveHost } from './endpoint-url';
import { endpointAddressProblem, endpointUrlProblem } from './endpoint-url';

describe('endpointUrlProblem', () => {
  it.each(['https://example.com/hook', 'http://example.com:8080/a?b=c#d', 'https://[2606:4700::1111]/x', `https://e.com/${'a'.repeat(2048 - 14)}`])('accepts %s', (url) => {
    expect(endpointUrlProblem(url)).toBeNull();
  });

  it.each([
    ['example.com/hook', 'must be an absolute http or https URL'],
    ['/hook', 'must be an absolute http or https URL'],
    ['ftp://example.com/', 'must be an absolute http or https URL'],
    ['javascript:alert(1)', 'must be an absolute http or https URL'],
    ['file:///etc/passwd', 'must be an absolute http or https URL'],
    ['https://user:pass@example.com/', 'must not contain credentials'],
    ['https://user@example.com/', 'must not contain credentials'],
    [' https://example.com/', 'must not contain whitespace or control characters'],
    ['https://exa\nmple.com/', 'must not contain whitespace or control characters'],
    [`https://e.com/${'a'.repeat(2048 - 13)}`, 'must be at most 2048 characters'],
  ])('refuses %j: %s', (url, message) => {
    expect(endpointUrlProblem(url)).toBe(message);
  });
});

describe('endpointAddressProblem', () => {
  const resolvesTo =
    (addresses: Record<string, string[]>): ResolveHost =>
    async (name) =>
      addresses[name] ?? [];
  const nothingResolves = resolvesTo({});

  it.each([
    ['http://127.0.0.1/', '127.0.0.1 is in a blocked range (loopback)'],
    ['http://2130706433/', '127.0.0.1 is in a blocked range (loopback)'],
    ['http://0x7f000001/', '127.0.0.1 is in a blocked range (loopback)'],
    ['http://127.1/', '127.0.0.1 is in a blocked range (loopback)'],
    ['http://0177.0.0.1/', '127.0.0.1 is in a blocked range (loopback)'],
    ['http://[::1]/', '::1 is in a blocked range (loopback)'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1 is in a blocked range (loopback)'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a cloud metadata address'],
    ['http://0/', '0.0.0.0 is in a blocked range (unspecified)'],
  ])('refuses the literal host of %s', async (url, reason) => {
    expect(await endpointAddressProblem(url, nothingResolves)).toBe(`must point to a public address: ${reason}`);
  });

  it('refuses localhost names without asking DNS', async () => {
    const resolveNothing: ResolveHost = async () => {
      throw new Error('must not be called');
    };
    expect(await endpointAddressProblem('http://localhost:3000/', resolveNothing)).toBe('must point to a public address: localhost is a loopback name');
    expect(await endpointAddressProblem('http://LOCALHOST./', resolveNothing)).toBe('must point to a public address: localhost is a loopback name');
    expect(await endpointAddressProblem('http://api.localhost/', resolveNothing)).toBe('must point to a public address: api.localhost is a loopback name');
  });

  it('refuses a name when any address it resolves to is blocked', async () => {
    const resolve = resolvesTo({ 'internal.example': ['93.184.215.14', '10.0.0.7'] });
    expect(await endpointAddressProblem('https://internal.example/hook', resolve)).toBe(
      'must point to a public address: internal.example resolves to 10.0.0.7, which is in a blocked range (private)',
    );
  });

  it('accepts public literals, public names and names that do not resolve', async () => {
    const resolve = resolvesTo({ 'hooks.example': ['93.184.215.14', '2606:2800:220:1:248:1893:25c8:1946'] });
    expect(await endpointAddressProblem('https://93.184.215.14/hook', resolve)).toBeNull();
    expect(await endpointAddressProblem('https://[2606:4700:4700::1111]/hook', resolve)).toBeNull();
    expect(await endpointAddressProblem('https://hooks.example/hook', resolve)).toBeNull();
    expect(await endpointAddressProblem('https://does-not-exist.invalid/', resolve)).toBeNull();
  });
});
