import type { operatorKeys } from '@hookline/queue';
import type { AdmitKeys } from './endpoint-health.scripts';

/**
 * `rateLimitPerSecond` is enforced per 1.05 s: a request reaches the receiver a little after it
 * was let through (connection, scheduling), and the 5 % keeps a sliding second at the receiver
 * within the limit despite up to 50 ms of such jitter.
 */
export const RATE_WINDOW_MS = 1_050;

/**
 * The rate limit's part of ADMIT (see endpoint-health.scripts.ts), across workers through Redis:
 * evenly spaced send slots, a delivery delayed to its slot, and a log of the window's sends as a hard cap.
 */
export class RateLimit {
  constructor(private readonly keys: ReturnType<typeof operatorKeys>) {}

  admitKeys(subscriptionId: string, deliveryId: string): Pick<AdmitKeys, 'rateSlot' | 'rateReservation' | 'rateLog'> {
    return {
      rateSlot: this.keys.rateSlot(subscriptionId),
      rateReservation: this.keys.rateReservation(subscriptionId, deliveryId),
      rateLog: this.keys.rateLog(subscriptionId),
    };
  }

  /** ADMIT's rate arguments: slot interval ms (0 = no rate limit), sends per window, window ms. */
  admitArgs(limitPerSecond: number | null | undefined): [number, number, number] {
    return [limitPerSecond ? RATE_WINDOW_MS / limitPerSecond : 0, limitPerSecond ?? 0, RATE_WINDOW_MS];
  }
}
