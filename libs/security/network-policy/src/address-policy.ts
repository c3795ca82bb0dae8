import ipaddr from 'ipaddr.js';

/** Cloud metadata endpoints that are not already covered by a blocked range. */
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', '192.0.0.192', 'fd00:ec2::254']);

/** RFC 8215 local-use NAT64: the operator picks where the IPv4 address sits, so it cannot be judged. */
const LOCAL_USE_NAT64: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('64:ff9b:1::'), 48];

/**
 * Why an address may not receive webhooks, or null when it is a public unicast address.
 * IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are judged by the embedded one.
 */
export function blockedAddressReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'is not an IP address';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.match(LOCAL_USE_NAT64)) return 'is in a blocked range (local-use NAT64)';
    // ::a.b.c.d (RFC 4291 "IPv4-compatible", deprecated): ipaddr.js calls it unicast, but some
    // stacks still route it to the embedded IPv4 address, loopback included.
    if (isIPv4Compatible(v6)) return 'is in a blocked range (deprecated IPv4-compatible IPv6)';
    const embedded = embeddedIPv4(v6);
    if (embedded) parsed = embedded;
  }
  const normalized = parsed.toNormalizedString();
  if (METADATA_ADDRESSES.has(normalized) || METADATA_ADDRESSES.has(parsed.toString())) return 'is a cloud metadata address';
  const range = parsed.range();
  return range === 'unicast' ? null : `is in a blocked range (${range})`;
}

function isIPv4Compatible(address: ipaddr.IPv6): boolean {
  const parts = address.parts;
  return parts.slice(0, 6).every((part) => part === 0) && address.range() === 'unicast';
}

function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = address.range();
  if (range === 'ipv4Mapped') return address.toIPv4Address();
  const bytes = address.toByteArray();
  if (range === 'rfc6052' || range === 'rfc6145') return new ipaddr.IPv4(bytes.slice(12, 16));
  if (range === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  return null;
}

/** Parses a URL host (hostname, dotted, decimal or hex IPv4, bracketed IPv6) as an IP literal. */
export function hostAsAddress(hostname: string): string | null {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(bare)) return ipaddr.parse(bare).toString();
  return null;
}
