import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { EndpointSlot, EndpointSlots } from './endpoint-slots';

/**
 * A busy endpoint (ENDPOINT_MAX_IN_FLIGHT reached): check back after this long at least; when it
 * looks stuck (EndpointSlots.slotExpectedAt), only once its oldest attempt times out (it frees no
 * slot sooner), so a hanging endpoint's backlog is re-checked about once per DELIVERY_TIMEOUT_MS,
 * not every second.
 */
const BUSY_WAIT_MS = 500;
/** …unless a slot frees within this long while the endpoint is moving (see EndpointSlots). */
const BUSY_LOCAL_WAIT_MS = 250;

/** ENDPOINT_MAX_IN_FLIGHT per worker process: a slow or hanging endpoint cannot take every worker slot. */
@Injectable()
export class InFlightLimit {
  private readonly slots: EndpointSlots;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.slots = new EndpointSlots(config.ENDPOINT_MAX_IN_FLIGHT, config.DELIVERY_TIMEOUT_MS);
  }

  /** A slot, or null when the endpoint stays busy (then see `retryInMs`). */
  acquire(subscriptionId: string): Promise<EndpointSlot | null> | EndpointSlot | null {
    return this.slots.acquire(subscriptionId, BUSY_LOCAL_WAIT_MS);
  }

  /** How long a delivery to a busy endpoint should wait before it checks again (before jitter). */
  retryInMs(subscriptionId: string): number {
    return Math.max(BUSY_WAIT_MS, this.slots.slotExpectedAt(subscriptionId) - Date.now());
  }

  release(slot: EndpointSlot): void {
    this.slots.release(slot);
  }
}
