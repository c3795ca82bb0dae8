import type { JobsOptions } from 'bullmq';

/** Bulk replays and subscription recoveries (docs/contract.md#the-rest-api), run in the background by the worker. */
export const REPLAYS_QUEUE = 'replays';

export interface ReplayJobData {
  replayId: string;
}

/** One job per replay, id = replay id; it keeps itself alive (delayed) until the replay completes. */
export function replayJob(replayId: string): { name: string; data: ReplayJobData; opts: JobsOptions } {
  return {
    name: 'replay',
    data: { replayId },
    opts: {
      jobId: replayId,
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  };
}

/** Operational events (`subscription.disabled`, `delivery.dead`) for OPERATOR_WEBHOOK_URL. */
export const OPERATOR_EVENTS_QUEUE = 'operator-events';

export interface OperatorEventJobData {
  /** `evt_…`: the webhook-id, the same on every attempt. */
  id: string;
  type: 'subscription.disabled' | 'delivery.dead';
  /** ISO-8601. */
  timestamp: string;
  data: Record<string, unknown>;
}

/** `dedupeKey` names the fact reported (e.g. the subscription and its disable time): reported once. */
export function operatorEventJob(event: OperatorEventJobData, dedupeKey: string): { name: string; data: OperatorEventJobData; opts: JobsOptions } {
  return {
    name: event.type,
    data: event,
    opts: {
      jobId: `${event.type}:${dedupeKey}`,
      // 1 s doubling: the last try comes about 18 h after the first. Late rather than never.
      attempts: 17,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  };
}
