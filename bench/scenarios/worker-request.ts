import { randomBytes } from 'node:crypto';
import { newId } from '@hookline/ids';
import type { DeliveryJobData } from '@hookline/queue';
import { createSigner } from '@hookline/signing';
import { outgoingRequest } from '../../apps/worker/src/delivery/outgoing-request';
import type { CachedSubscription } from '../../apps/worker/src/delivery/subscription-cache';
import type { Payloads } from '../payloads';

/**
 * Scenarios 1 and 2 build each request with the worker's own `outgoingRequest` (exact body, both
 * signatures, the x-hookline headers), so the ceilings differ from Hookline only by what they leave out.
 */
export function benchSubscription(url: string): CachedSubscription {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  return { id: newId('sub'), url, headers: {}, active: true, signers: [createSigner(secret)], expiresAt: Infinity };
}

export function benchJob(payloads: Payloads, subscription: CachedSubscription, type: string, seq: number): DeliveryJobData {
  return {
    deliveryId: newId('dlv'),
    tenantId: 'ten_bench',
    subscriptionId: subscription.id,
    eventId: newId('evt'),
    eventType: type,
    timestamp: new Date().toISOString(),
    dataJson: payloads.dataJson(type, seq),
    attemptCount: 0,
    cycleAttempts: 0,
  };
}

export function signedRequest(job: DeliveryJobData, subscription: CachedSubscription) {
  return outgoingRequest(job, subscription, job.attemptCount + 1);
}
