import type { RedisKeyspace } from './redis-keyspace';
import { keyGroup, shardKeyGroup, subscriptionKeyGroup } from './redis-keyspace';

/**
 * Redis keys shared by the workers (writers) and the API (reader) for endpoint health and
 * metrics. Every key starts with QUEUE_PREFIX, so deployments and test runs sharing a Redis stay apart.
 * On a cluster, keys one script touches together share a hash tag (see RedisKeyspace): a
 * subscription's breaker, probe and rate keys and its shard's set of open breakers carry the tag of
 * the subscription's delivery shard; the metrics hashes share one tag of their own.
 */
export const operatorKeys = (keyspace: RedisKeyspace) => {
  const sub = (subscriptionId: string) => subscriptionKeyGroup(keyspace, subscriptionId);
  const metrics = keyGroup(keyspace, 'metrics');
  return {
    /** Hash per subscription: consecutive failures, first failure time, open-until, probe state. */
    breaker: (subscriptionId: string) => `${sub(subscriptionId)}breaker:${subscriptionId}`,
    /** Set of ids of the subscriptions whose breaker is open now, of the subscription's shard (one set on a single Redis). */
    openBreakers: (subscriptionId: string) => `${sub(subscriptionId)}breakers:open`,
    /** Every distinct open-breakers set: readers take their union. */
    allOpenBreakers: [...new Set(Array.from({ length: keyspace.shards }, (_, shard) => `${shardKeyGroup(keyspace, shard)}breakers:open`))],
    /** The one probe allowed through an open breaker (SET NX with a lease). */
    probe: (subscriptionId: string) => `${sub(subscriptionId)}breaker-probe:${subscriptionId}`,
    /** Per subscription rate limit: the next free send slot (ms). */
    rateSlot: (subscriptionId: string) => `${sub(subscriptionId)}rate:${subscriptionId}`,
    /** Per subscription rate limit: the sends of the last window (sorted set, score = ms). */
    rateLog: (subscriptionId: string) => `${sub(subscriptionId)}rate-log:${subscriptionId}`,
    /** A delivery's reserved send slot (ms), so a job delayed for its slot goes straight through. */
    rateReservation: (subscriptionId: string, deliveryId: string) => `${sub(subscriptionId)}rate:${subscriptionId}:${deliveryId}`,
    /** Hash: attempts by outcome, summed over every worker (a Prometheus counter). */
    deliveryOutcomes: `${metrics}delivery-outcomes`,
    /** Hash: attempt duration histogram (`le:<seconds>` per bucket, not cumulative; `sum`, `count`). */
    attemptSeconds: `${metrics}attempt-seconds`,
    /** Hash: attempts held back by outcome (`rate_limited`, `circuit_open`, `endpoint_busy`). */
    deferrals: `${metrics}deferrals`,
    /** Hash: times the workers went on without Redis, by path (`FAIL_OPEN_PATHS`), summed over every worker. */
    failOpen: `${metrics}fail-open`,
    /** Counter: deliveries whose processing threw something other than an endpoint's answer. */
    internalErrors: `${metrics}delivery-internal-errors`,
    /** Per API key requests in the current second (its own tag per key on a cluster: single-key commands only). */
    apiRequests: (principal: string, second: number) => `${keyGroup(keyspace, `api-rate:${principal}`)}${second}`,
  };
};

export type OperatorKeys = ReturnType<typeof operatorKeys>;

/** Upper bounds (seconds) of the attempt latency histogram's buckets. */
export const ATTEMPT_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30] as const;

/** What became of one attempt, as counted in `deliveryOutcomes`. */
export const DELIVERY_OUTCOMES = ['succeeded', 'failed', 'dead'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export const DEFERRAL_REASONS = ['rate_limited', 'circuit_open', 'endpoint_busy'] as const;
export type DeferralReason = (typeof DEFERRAL_REASONS)[number];
