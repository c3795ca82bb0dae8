import type { DeliveryJobData } from '@hookline/queue';

/**
 * The ids a worker line about one delivery carries as fields, so a log search finds every line of a
 * delivery, an event, a subscription or a tenant. Passed to each such line rather than kept in an
 * AsyncLocalStorage around the job: on Node 20 that turns on a hook for every promise the worker
 * makes, about a fifth of its CPU per delivery (docs/hot-path.md).
 */
export function deliveryLogFields(data: DeliveryJobData): Record<string, string> {
  return { delivery_id: data.deliveryId, event_id: data.eventId, subscription_id: data.subscriptionId, tenant_id: data.tenantId };
}
