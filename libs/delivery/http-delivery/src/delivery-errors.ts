/** Raised at connect time for an address SSRF policy forbids; its message is the attempt's error string. */
export class BlockedAddressError extends Error {
  readonly code = 'HOOKLINE_BLOCKED_ADDRESS';

  constructor(address: string, reason: string) {
    super(`blocked address ${address} (${shortReason(reason)})`);
  }
}

/** A failure of the egress proxy rather than of the receiver; its message is the attempt's error string. */
export class ProxyError extends Error {
  readonly code = 'HOOKLINE_PROXY';
}

/** `is in a blocked range (loopback)` -> `loopback`; `is a cloud metadata address` -> `cloud metadata address`. */
function shortReason(reason: string): string {
  return /\(([^)]+)\)$/.exec(reason)?.[1] ?? reason.replace(/^is (an? )?/, '');
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL', 'ENONAME']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_)|CERT|^EPROTO$|^UNABLE_TO_|SELF_SIGNED/;
const FIXED_MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection closed by receiver',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_HEADERS_OVERFLOW: 'response headers too large',
  UND_ERR_CLOSED: 'client closed',
  UND_ERR_DESTROYED: 'client closed',
};

interface CodedError {
  code: string;
  message: string;
}

/** A short, stable error string for an attempt: no stack, no volatile detail, safe to group by. */
export function describeDeliveryError(error: unknown, host: string, timeoutMs: number): string {
  const coded = codedError(error);
  if (coded instanceof BlockedAddressError || coded instanceof ProxyError) return coded.message;
  const code = coded?.code;
  if (code === undefined) return `request failed: ${String((error as Error | null)?.message ?? error).slice(0, 200)}`;
  if (TIMEOUT_CODES.has(code)) return `timeout after ${timeoutMs}ms`;
  if (DNS_CODES.has(code)) return `dns lookup failed: ${host}`;
  if (FIXED_MESSAGES[code]) return FIXED_MESSAGES[code];
  if (TLS_CODE.test(code)) return `tls error: ${code}`;
  if (code.startsWith('HPE_')) return `invalid http response: ${code}`;
  // e.g. a custom header value with a newline: undici names the header, never echoes the value.
  if (code === 'UND_ERR_INVALID_ARG') return `invalid request: ${coded?.message ?? code}`;
  return `request failed: ${code}`;
}

/** Node wraps connect errors (AggregateError from happy eyeballs, `cause` chains): the first coded one decides. */
function codedError(error: unknown, depth = 0): CodedError | undefined {
  if (!error || typeof error !== 'object' || depth > 4) return undefined;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof e.code === 'string') return error as CodedError;
  return codedError(e.errors?.[0], depth + 1) ?? codedError(e.cause, depth + 1);
}
