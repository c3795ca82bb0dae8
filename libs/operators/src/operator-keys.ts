/**
 * Redis keys shared by the workers (writers) and the API (reader) for endpoint health and
 * metrics. Every key starts with QUEUE_PREFIX, so deployments and test runs sharing a Redis stay apart.
 */
export const operatorKeys = (prefix: string) => ({
  /** Hash per subscription: consecutive failures, first failure time, open-until, probe state. */
  breaker: (subscriptionId: string) => `${prefix}:breaker:${subscriptionId}`,
  /** Set of subscription ids whose breaker is open now. */
  openBreakers: `${prefix}:breakers:open`,
  /** The one probe allowed through an open breaker (SET NX with a lease). */
  probe: (subscriptionId: string) => `${prefix}:breaker-probe:${subscriptionId}`,
  /** Per subscription rate limit: the next free send slot (ms). */
  rateSlot: (subscriptionId: string) => `${prefix}:rate:${subscriptionId}`,
  /** Per subscription rate limit: the sends of the last window (sorted set, score = ms). */
  rateLog: (subscriptionId: string) => `${prefix}:rate-log:${subscriptionId}`,
  /** A delivery's reserved send slot (ms), so a job delayed for its slot goes straight through. */
  rateReservation: (subscriptionId: string, deliveryId: string) => `${prefix}:rate:${subscriptionId}:${deliveryId}`,
  /** Hash: attempts by outcome, summed over every worker (a Prometheus counter). */
  deliveryOutcomes: `${prefix}:metrics:delivery-outcomes`,
  /** Hash: attempt duration histogram (`le:<seconds>` per bucket, not cumulative; `sum`, `count`). */
  attemptSeconds: `${prefix}:metrics:attempt-seconds`,
  /** Hash: attempts held back by outcome (`rate_limited`, `circuit_open`, `endpoint_busy`). */
  deferrals: `${prefix}:metrics:deferrals`,
  /** Hash: times the workers went on without Redis, by path (`FAIL_OPEN_PATHS`), summed over every worker. */
  failOpen: `${prefix}:metrics:fail-open`,
  /** Counter: deliveries whose processing threw something other than an endpoint's answer. */
  internalErrors: `${prefix}:metrics:delivery-internal-errors`,
  /** Per API key requests in the current second. */
  apiRequests: (principal: string, second: number) => `${prefix}:api-rate:${principal}:${second}`,
});

/** Upper bounds (seconds) of the attempt latency histogram's buckets. */
export const ATTEMPT_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30] as const;

/** What became of one attempt, as counted in `deliveryOutcomes`. */
export const DELIVERY_OUTCOMES = ['succeeded', 'failed', 'dead'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export const DEFERRAL_REASONS = ['rate_limited', 'circuit_open', 'endpoint_busy'] as const;
export type DeferralReason = (typeof DEFERRAL_REASONS)[number];
