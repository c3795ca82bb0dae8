import type { JobsOptions } from 'bullmq';

export const DELIVERIES_QUEUE = 'deliveries';

/**
 * Everything the worker needs to send one delivery without reading Postgres: the event is carried
 * in the job; the subscription (URL, headers, secrets) comes from the worker's cache.
 */
export interface DeliveryJobData {
  deliveryId: string;
  tenantId: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  /** ISO-8601 publish time: every attempt carries the event's original timestamp. */
  timestamp: string;
  /** `data` exactly as stored, already serialised. */
  dataJson: string;
  /** Attempts made before the job was queued, over the delivery's life and in this cycle (the worker goes by Postgres's counts). */
  attemptCount: number;
  cycleAttempts: number;
  /** W3C trace context of the publish, when it had one: every attempt's span joins that trace. */
  traceparent?: string;
  tracestate?: string;
}

export interface DeliveryJob {
  name: string;
  data: DeliveryJobData;
  opts: JobsOptions;
}

/**
 * Priority of deliveries queued by a bulk replay: BullMQ takes jobs without a priority first, then
 * the lowest number, so fresh deliveries of every tenant, in every tenant lane (1..MAX_LANE_PRIORITY,
 * added on top of this), go ahead of a replay's backlog.
 */
export const REPLAY_PRIORITY = 100;

/** The job id is the delivery id, so a delivery can never be queued twice. */
export function deliveryJob(data: DeliveryJobData, delayMs = 0, priority?: number): DeliveryJob {
  return {
    name: 'deliver',
    data,
    opts: { jobId: data.deliveryId, delay: Math.max(0, delayMs), removeOnComplete: true, removeOnFail: true, ...(priority ? { priority } : {}) },
  };
}

/**
 * Redis pub/sub channel on which the API announces a changed subscription id, so workers drop
 * their cached copy. Channels ignore the db index, hence the queue prefix in the name.
 */
export function subscriptionChangesChannel(queuePrefix: string): string {
  return `${queuePrefix}:subscription-changes`;
}
