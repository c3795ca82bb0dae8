import type { DeliveryJobData } from './delivery-job';

/**
 * Redis pub/sub channel on which workers announce each recorded attempt of a tenant's deliveries,
 * for the API's gRPC WatchDeliveries (docs/contract.md#grpc). Channels ignore the db index, hence the
 * queue prefix in the name; one channel per tenant, so an API subscribes only to what is watched.
 *
 * On a cluster the channel is sharded (SPUBLISH / SSUBSCRIBE): it lives on the master owning its slot,
 * so a tenant's updates reach a watcher in the order they were published. A plain PUBLISH enters at
 * whichever node the client picks and is relayed over the cluster bus, where one node's relay can
 * overtake another's: attempt 2 could arrive before attempt 1. It also reaches only that shard, not every node.
 */
export function deliveryUpdatesChannel(queuePrefix: string, tenantId: string): string {
  return `${queuePrefix}:delivery-updates:${tenantId}`;
}

/** One message on that channel, as JSON: one attempt and the delivery's status after it. */
export interface DeliveryUpdateMessage {
  tenantId: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  subscriptionId: string;
  status: 'succeeded' | 'failed' | 'dead';
  /** The attempt's number over the delivery's life, from 1. */
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** ISO-8601: when the attempt started. */
  at: string;
  /** ISO-8601 when another attempt is scheduled. */
  nextAttemptAt: string | null;
}

export interface AttemptSummary {
  attempt: number;
  status: DeliveryUpdateMessage['status'];
  startedAt: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  nextAttemptAt: Date | null;
}

export function deliveryUpdateMessage(job: DeliveryJobData, attempt: AttemptSummary): DeliveryUpdateMessage {
  return {
    tenantId: job.tenantId,
    deliveryId: job.deliveryId,
    eventId: job.eventId,
    eventType: job.eventType,
    subscriptionId: job.subscriptionId,
    status: attempt.status,
    attempt: attempt.attempt,
    statusCode: attempt.statusCode,
    error: attempt.error,
    durationMs: attempt.durationMs,
    at: attempt.startedAt.toISOString(),
    nextAttemptAt: attempt.nextAttemptAt?.toISOString() ?? null,
  };
}
