import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { EndpointSlot, EndpointSlots } from './endpoint-slots';

/**
 * A busy endpoint (its cap reached): check back after this long at least, or once its oldest
 * attempt times out when it looks stuck (EndpointSlots.slotExpectedAt), plus up to BUSY_JITTER_MS
 * so a backlog does not come back at once. One known to hang gets a turn instead
 * (EndpointSlots.nextTurn), spread already.
 */
const BUSY_WAIT_MS = 500;
const BUSY_JITTER_MS = 1_000;
/** …unless a slot frees within this long (see EndpointSlots). */
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

  /** How long a delivery to a busy endpoint should wait before it checks again; takes its turn when it hangs. */
  retryInMs(subscriptionId: string): number {
    const now = Date.now();
    const turn = this.slots.nextTurn(subscriptionId);
    if (turn !== null) return Math.max(BUSY_WAIT_MS, turn - now);
    return Math.max(BUSY_WAIT_MS, this.slots.slotExpectedAt(subscriptionId) - now) + Math.random() * BUSY_JITTER_MS;
  }

  release(slot: EndpointSlot): void {
    this.slots.release(slot);
  }
}
