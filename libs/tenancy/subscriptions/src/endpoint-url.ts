import { blockedAddressReason, hostAsAddress } from '@hookline/network-policy';

export const MAX_ENDPOINT_URL_LENGTH = 2048;

/** Addresses a host name resolves to; empty when it does not resolve (yet). */
export type ResolveHost = (hostname: string) => Promise<string[]>;

/** Why this cannot be a subscription URL, before looking at where it points; null when it can. */
export function endpointUrlProblem(raw: string): string | null {
  if (raw.length > MAX_ENDPOINT_URL_LENGTH) return `must be at most ${MAX_ENDPOINT_URL_LENGTH} characters`;
  // The URL parser silently drops tabs and newlines and trims spaces; what is stored must be what is sent.
  // eslint-disable-next-line no-control-regex -- control characters are what this rejects
  if (/[\s\x00-\x1f\x7f]/.test(raw)) return 'must not contain whitespace or control characters';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an absolute http or https URL';
  if (url.username || url.password) return 'must not contain credentials';
  return null;
}

/**
 * Why this URL points at a network Hookline must not reach (docs/contract.md#security-and-limits), or null. Judges the host the
 * way the delivery client will see it: WHATWG URL parsing has already turned `2130706433`,
 * `0x7f000001` and `127.1` into `127.0.0.1`. A host name that does not resolve is accepted; the
 * worker checks the address it connects to on every attempt anyway.
 */
export async function endpointAddressProblem(rawUrl: string, resolve: ResolveHost): Promise<string | null> {
  const host = new URL(rawUrl).hostname;
  const literal = hostAsAddress(host);
  if (literal) {
    const reason = blockedAddressReason(literal);
    return reason ? `must point to a public address: ${literal} ${reason}` : null;
  }
  const name = host.replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return `must point to a public address: ${name} is a loopback name`;
  for (const address of await resolve(name)) {
    const reason = blockedAddressReason(address);
    if (reason) return `must point to a public address: ${name} resolves to ${address}, which ${reason}`;
  }
  return null;
}
