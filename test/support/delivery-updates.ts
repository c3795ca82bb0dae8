import { DeliveryUpdatesPublisher } from '../../apps/worker/src/delivery/delivery-updates.publisher';
import type { TestStack } from './test-stack';

export const ANNOUNCED_DELIVERY_ID = 'dlv_announced';

/**
 * Announces attempts of one made-up delivery of the stack's tenant through the worker's
 * DeliveryUpdatesPublisher, as the processor does after recording each: for tests of the live feed
 * that need updates at a pace of their own. Each call sends the next attempt number (1, 2, …) and returns it.
 */
export function attemptAnnouncer(stack: TestStack, subscriptionId: string): () => number {
  const publisher = stack.worker.get(DeliveryUpdatesPublisher);
  const job = {
    deliveryId: ANNOUNCED_DELIVERY_ID,
    tenantId: stack.tenantId,
    subscriptionId,
    eventId: 'evt_announced',
    eventType: 'test.announced',
    timestamp: new Date().toISOString(),
    dataJson: '{}',
    attemptCount: 0,
    cycleAttempts: 0,
  };
  let attempt = 0;
  return () => {
    publisher.attempted(job, { attempt: ++attempt, status: 'failed', startedAt: new Date(), statusCode: 503, error: null, durationMs: 1, nextAttemptAt: new Date() });
    return attempt;
  };
}
