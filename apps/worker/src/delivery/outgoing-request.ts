import { HOOKLINE_VERSION } from '@hookline/config';
import type { DeliveryJobData } from '@hookline/queue';
import { eventBody, signatureHeaders } from '@hookline/signing';
import type { CachedSubscription } from './subscription-cache';

const USER_AGENT = `Hookline/${HOOKLINE_VERSION}`;

/** The POST of docs/contract.md#the-request-your-endpoint-receives: exact body, signatures, our headers over the subscription's own. */
export function outgoingRequest(job: DeliveryJobData, subscription: CachedSubscription, attemptNumber: number, now = Date.now()) {
  const body = eventBody({ id: job.eventId, type: job.eventType, timestamp: job.timestamp, dataJson: job.dataJson });
  const headers: Record<string, string> = {
    ...subscription.headers,
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    ...signatureHeaders({ msgId: job.eventId, timestamp: Math.floor(now / 1000), body, secrets: subscription.signers }),
    'x-hookline-event': job.eventType,
    'x-hookline-delivery': job.deliveryId,
    'x-hookline-attempt': String(attemptNumber),
  };
  return { body, headers };
}
