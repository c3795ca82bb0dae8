export type OutcomeKind = 'succeeded' | 'gone' | 'retry';

/**
 * docs/contract.md#delivery-semantics: a 2xx is success, 410 disables the subscription, anything else (3xx included) is
 * retried. An error with a status (e.g. the receiver answered 2xx but then stalled past the
 * timeout while we read the excerpt) is a failure: success means 2xx within the timeout.
 */
export function classifyOutcome({ statusCode, error }: { statusCode: number | null; error: string | null }): OutcomeKind {
  if (error !== null || statusCode === null) return 'retry';
  if (statusCode >= 200 && statusCode < 300) return 'succeeded';
  return statusCode === 410 ? 'gone' : 'retry';
}
