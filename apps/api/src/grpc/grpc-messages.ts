import type { EventView } from '@hookline/events';
import type { DeliveryUpdate, Event } from '@hookline/grpc-contract';
import { DeliveryStatus } from '@hookline/grpc-contract';
import type { DeliveryUpdateMessage } from '@hookline/queue';

/** An event as REST shows it, as the proto's Event. */
export function eventMessage(tenantId: string, event: EventView, replayed: boolean): Event {
  return {
    id: event.id,
    tenantId,
    type: event.type,
    dataJson: Buffer.from(JSON.stringify(event.data)),
    idempotencyKey: event.idempotencyKey ?? '',
    createdAt: event.createdAt.toISOString(),
    deliveryCount: event.deliveryCount,
    replayed,
  };
}

const STATUS: Record<DeliveryUpdateMessage['status'], DeliveryStatus> = {
  succeeded: DeliveryStatus.DELIVERY_STATUS_SUCCEEDED,
  failed: DeliveryStatus.DELIVERY_STATUS_FAILED,
  dead: DeliveryStatus.DELIVERY_STATUS_DEAD,
};

/** A worker's announcement (libs/delivery/queue delivery-updates) as the proto's DeliveryUpdate. */
export function deliveryUpdate(message: DeliveryUpdateMessage): DeliveryUpdate {
  return {
    deliveryId: message.deliveryId,
    eventId: message.eventId,
    subscriptionId: message.subscriptionId,
    status: STATUS[message.status] ?? DeliveryStatus.DELIVERY_STATUS_UNSPECIFIED,
    attempt: message.attempt,
    statusCode: message.statusCode ?? undefined,
    error: message.error ?? undefined,
    at: message.at,
    eventType: message.eventType,
    durationMs: Math.max(0, Math.round(message.durationMs)),
    nextAttemptAt: message.nextAttemptAt ?? undefined,
  };
}
