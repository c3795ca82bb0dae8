export const MAX_CUSTOM_HEADERS = 20;
export const MAX_CUSTOM_HEADER_VALUE_LENGTH = 2048;

/** RFC 9110 `token`. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII, spaces and tabs inside; no CR, LF or NUL (header injection), no leading or trailing blanks. */
const HEADER_VALUE = /^(?:[\x21-\x7e](?:[\t\x20-\x7e]*[\x21-\x7e])?)?$/;

/** Headers every delivery sets itself (docs/contract.md#the-request-your-endpoint-receives). */
const SIGNED_HEADERS = new Set(['x-hub-signature-256', 'content-type', 'content-length', 'user-agent', 'host']);
const SIGNED_PREFIXES = ['webhook-', 'x-hookline-'];
/** Connection-level headers: the HTTP client manages them and refuses requests that set them. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection']);

export interface HeaderProblem {
  /** The header name as the caller wrote it. */
  name: string;
  message: string;
}

/** Every reason these custom headers cannot be sent with deliveries; empty when they can. */
export function customHeaderProblems(headers: Record<string, unknown>): HeaderProblem[] {
  const problems: HeaderProblem[] = [];
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    const message = headerProblem(name, value, seen);
    if (message) problems.push({ name, message });
    seen.add(name.toLowerCase());
  }
  return problems;
}

function headerProblem(name: string, value: unknown, seen: Set<string>): string | null {
  const lower = name.toLowerCase();
  if (!HEADER_NAME.test(name)) return 'is not a valid HTTP header name';
  if (SIGNED_HEADERS.has(lower) || SIGNED_PREFIXES.some((prefix) => lower.startsWith(prefix))) return 'is reserved: Hookline sets this header itself';
  if (HOP_BY_HOP.has(lower)) return 'is a connection header the HTTP client manages';
  if (seen.has(lower)) return 'is given twice (header names are case-insensitive)';
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > MAX_CUSTOM_HEADER_VALUE_LENGTH) return `must be at most ${MAX_CUSTOM_HEADER_VALUE_LENGTH} characters`;
  if (!HEADER_VALUE.test(value)) return 'must be printable ASCII without line breaks or leading/trailing spaces';
  return null;
}
