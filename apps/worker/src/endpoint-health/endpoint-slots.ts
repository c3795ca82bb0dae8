/**
 * A fast endpoint frees a slot every few milliseconds: a delivery over the cap waits in the worker
 * for the next one when the endpoint freed one (or got its first one) within MOVING_MS, rather than
 * being deferred (a Redis move now, a fetch and a re-check later). A hanging endpoint frees none, so
 * its deliveries are deferred at once and give their worker slots back.
 */
const MOVING_MS = 100;
/** Bounds the memory of when each subscription last moved. */
const MAX_TRACKED_MOVES = 10_000;

/**
 * ENDPOINT_MAX_IN_FLIGHT in this worker process: at most `cap` attempts to one subscription at a
 * time, so a slow or hanging endpoint cannot take every slot of the worker. Counted in memory: no
 * Redis round trip per attempt, and nothing to expire when a worker dies (its counts die with it).
 */
export class EndpointSlots {
  private readonly inFlight = new Map<string, number>();
  /** Deliveries waiting for a slot, first come first served; a freed slot is handed to the first. */
  private readonly waiters = new Map<string, ((handedOver: boolean) => void)[]>();
  /** When each subscription last freed a slot, or took one with none in flight. */
  private readonly lastMoved = new Map<string, number>();

  constructor(private readonly cap: number) {}

  /**
   * Takes a slot of the subscription: at once when one is free, else after waiting up to `maxWaitMs`
   * for one to be handed over (only while the endpoint is moving). False: none, defer the delivery.
   */
  acquire(subscriptionId: string, maxWaitMs: number): Promise<boolean> | boolean {
    const used = this.inFlight.get(subscriptionId) ?? 0;
    if (used < this.cap) {
      // A burst of deliveries to an idle endpoint: those over the cap wait for its first answers.
      if (used === 0) this.moved(subscriptionId);
      this.inFlight.set(subscriptionId, used + 1);
      return true;
    }
    const moving = Date.now() - (this.lastMoved.get(subscriptionId) ?? 0) < MOVING_MS;
    if (maxWaitMs <= 0 || !moving) return false;
    return this.handOver(subscriptionId, maxWaitMs);
  }

  release(subscriptionId: string): void {
    this.moved(subscriptionId);
    const next = this.waiters.get(subscriptionId)?.[0];
    if (next) return next(true);
    const used = (this.inFlight.get(subscriptionId) ?? 1) - 1;
    if (used > 0) this.inFlight.set(subscriptionId, used);
    else this.inFlight.delete(subscriptionId);
  }

  /** Attempts in flight to the subscription in this process. */
  used(subscriptionId: string): number {
    return this.inFlight.get(subscriptionId) ?? 0;
  }

  private moved(subscriptionId: string): void {
    if (this.lastMoved.size >= MAX_TRACKED_MOVES) this.lastMoved.clear();
    this.lastMoved.set(subscriptionId, Date.now());
  }

  private handOver(subscriptionId: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const queue = this.waiters.get(subscriptionId) ?? [];
      this.waiters.set(subscriptionId, queue);
      const settle = (handedOver: boolean) => {
        clearTimeout(timer);
        queue.splice(queue.indexOf(settle), 1);
        if (queue.length === 0 && this.waiters.get(subscriptionId) === queue) this.waiters.delete(subscriptionId);
        resolve(handedOver);
      };
      const timer = setTimeout(() => settle(false), ms);
      queue.push(settle);
    });
  }
}
