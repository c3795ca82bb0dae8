import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemException } from '@hookline/http-problem';
import type { DeliveryUpdateMessage } from '@hookline/queue';
import type { DeliveryWatchHub } from '../grpc/delivery-watch.hub';

const HEARTBEAT_MS = 15_000;
/** A reader this far behind is cut off (it reconnects and reloads) rather than buffered without bound. */
const MAX_UNREAD_BYTES = 1 << 20;

export interface DeliveryStreamFilter {
  subscriptionId?: string;
  eventType?: string;
}

/** What a `delivery` event carries: the delivery's fields as `GET …/deliveries` shows them, after an attempt. */
export function deliverySummary(update: DeliveryUpdateMessage) {
  return {
    id: update.deliveryId,
    eventId: update.eventId,
    eventType: update.eventType,
    subscriptionId: update.subscriptionId,
    status: update.status,
    attemptCount: update.attempt,
    nextAttemptAt: update.nextAttemptAt,
    lastAttemptAt: update.at,
    lastStatusCode: update.statusCode,
    lastError: update.error,
    lastDurationMs: update.durationMs,
  };
}

/**
 * Server-sent events: one `delivery` event per recorded attempt of the tenant's deliveries, a
 * comment line every 15 s so proxies keep the connection, and a clean end when the client leaves
 * or the API shuts down. The response headers are sent once the watch is in place, so anything
 * recorded after the client has them reaches it. From then on the raw response is ours (the reply
 * is hijacked): Fastify neither sends nor ends it.
 */
export async function streamDeliveryEvents(hub: DeliveryWatchHub, tenantId: string, filter: DeliveryStreamFilter, request: FastifyRequest, reply: FastifyReply) {
  const response = reply.raw;
  let heartbeat: NodeJS.Timeout | undefined;
  let unwatch = () => {};
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    unwatch();
    if (!response.writableEnded) response.end();
  };
  const listener = (update: DeliveryUpdateMessage) => {
    if (ended) return;
    if (filter.subscriptionId !== undefined && update.subscriptionId !== filter.subscriptionId) return;
    if (filter.eventType !== undefined && update.eventType !== filter.eventType) return;
    if (response.writableLength > MAX_UNREAD_BYTES) return end();
    response.write(`event: delivery\ndata: ${JSON.stringify(deliverySummary(update))}\n\n`);
  };
  try {
    unwatch = await hub.watch(tenantId, listener, end);
  } catch (error) {
    new Logger('DeliveryEventStream').warn(`could not subscribe to delivery updates: ${(error as Error).message}`);
    throw new ProblemException(503, 'Delivery updates are unavailable right now; try again shortly', undefined, 'updates-unavailable');
  }
  reply.hijack();
  request.raw.on('close', end);
  if (request.raw.destroyed) return end();
  response.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  response.write(': watching\n\n');
  heartbeat = setInterval(() => response.write(': heartbeat\n\n'), HEARTBEAT_MS);
}
