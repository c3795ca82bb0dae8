/**
 * A fast endpoint frees a slot every few milliseconds: a delivery over the cap waits in the worker
 * for the next one when the endpoint freed one (or got its first one) within MOVING_MS, rather than
 * being deferred (a Redis move now, a fetch and a re-check later). A hanging endpoint frees none, so
 * its deliveries are deferred at once and give their worker slots back.
 */
const MOVING_MS = 100;
/**
 * An endpoint that freed nothing lately while its oldest attempt has been in flight this long is
 * taken for hanging. Not sooner: a worker that just started (cold, opening its connections) can
 * wait this long for its first answers from a healthy endpoint.
 */
const STUCK_AFTER_MS = 1_000;
/** Bounds the memory of when each subscription last moved, and of each stuck one's next turn. */
const MAX_TRACKED_MOVES = 10_000;
/**
 * A timed-out attempt gives its slot back only once it is recorded, a little after the timeout:
 * a deferred delivery's turn is set this much later, so it does not come back to a slot still held.
 */
const TURN_MARGIN_MS = 100;
/** How far ahead a hanging endpoint's deliveries are given turns (see `nextTurn`). */
const MAX_TURN_AHEAD_MS = 60_000;

/** One attempt's place among its subscription's in-flight attempts. */
export interface EndpointSlot {
  subscriptionId: string;
  /** When the slot was taken (ms). */
  since: number;
}

/**
 * ENDPOINT_MAX_IN_FLIGHT in this worker process: at most `cap` attempts to one subscription at a
 * time, so a slow or hanging endpoint cannot take every slot of the worker. Counted in memory: no
 * Redis round trip per attempt, and nothing to expire when a worker dies (its counts die with it).
 */
export class EndpointSlots {
  /** When each in-flight slot of a subscription was taken, oldest first. */
  private readonly inFlight = new Map<string, number[]>();
  /** Deliveries waiting for a slot, first come first served; a freed slot is handed to the first. */
  private readonly waiters = new Map<string, ((slot: EndpointSlot | null) => void)[]>();
  /** When each subscription last freed a slot, or took one with none in flight. */
  private readonly lastMoved = new Map<string, number>();
  /** Subscriptions whose last freed slot was a timed-out attempt (no answer since): hanging. */
  private readonly timingOut = new Set<string>();
  /** For a stuck subscription: the turn of the next delivery deferred (ms), see `nextTurn`. */
  private readonly turns = new Map<string, number>();

  /** `attemptTimeoutMs`: the longest an attempt holds its slot (DELIVERY_TIMEOUT_MS). */
  constructor(
    private readonly cap: number,
    private readonly attemptTimeoutMs: number,
  ) {}

  /**
   * Takes a slot of the subscription: at once when one is free, else after waiting up to `maxWaitMs`
   * for one to be handed over (only while the endpoint is moving, or when its oldest attempt times
   * out within that wait). Null: none, defer the delivery.
   */
  acquire(subscriptionId: string, maxWaitMs: number): Promise<EndpointSlot | null> | EndpointSlot | null {
    const starts = this.inFlight.get(subscriptionId) ?? [];
    if (starts.length < this.cap) {
      // A burst of deliveries to an idle endpoint: those over the cap wait for its first answers
      // (not for a hanging endpoint's: none will come).
      if (starts.length === 0 && !this.timingOut.has(subscriptionId)) this.moved(subscriptionId);
      return this.take(subscriptionId, starts);
    }
    if (maxWaitMs <= 0 || !(this.moving(subscriptionId) || this.timesOutWithin(starts[0], maxWaitMs))) return null;
    return this.handOver(subscriptionId, maxWaitMs);
  }

  release(slot: EndpointSlot): void {
    const { subscriptionId } = slot;
    // A slot given back by a timed-out attempt is no sign of the endpoint answering: it is stuck.
    if (Date.now() - slot.since >= this.attemptTimeoutMs) {
      if (this.timingOut.size >= MAX_TRACKED_MOVES) this.timingOut.clear();
      this.timingOut.add(subscriptionId);
    } else {
      this.moved(subscriptionId);
      this.timingOut.delete(subscriptionId);
      this.turns.delete(subscriptionId);
    }
    const starts = this.inFlight.get(subscriptionId);
    if (!starts) return;
    const i = starts.indexOf(slot.since);
    if (i >= 0) starts.splice(i, 1);
    const next = this.waiters.get(subscriptionId)?.[0];
    if (next) return next(this.take(subscriptionId, starts));
    if (starts.length === 0) this.inFlight.delete(subscriptionId);
  }

  /** Attempts in flight to the subscription in this process. */
  used(subscriptionId: string): number {
    return this.inFlight.get(subscriptionId)?.length ?? 0;
  }

  /**
   * When a slot of the subscription can be expected: now, unless the endpoint looks stuck (it freed
   * nothing lately, and its oldest attempt has been in flight for STUCK_AFTER_MS or its last freed
   * slot was a timeout); then when that attempt times out, since a hanging endpoint frees no slot sooner.
   */
  slotExpectedAt(subscriptionId: string): number {
    return this.stuckUntil(subscriptionId) ?? Date.now();
  }

  /**
   * When a delivery that found no slot should come back, for an endpoint known to hang (its last
   * freed slot was a timeout, no answer since); null for any other. Each such delivery gets its own
   * turn: the first when the oldest attempt times out, each next one `attemptTimeoutMs / cap` later
   * (the pace at which a hanging endpoint frees slots). So its backlog comes back a few deliveries at
   * a time and about once each, instead of all of it at every timeout, each time fetched and
   * deferred again through the queue every endpoint shares. Turns go at most MAX_TURN_AHEAD_MS
   * ahead; past that, deliveries come back spread over the next MAX_TURN_AHEAD_MS and take a turn
   * then, so an endpoint that recovers drains its backlog within minutes, not at the hanging pace.
   * The turns restart once the endpoint answers.
   */
  nextTurn(subscriptionId: string): number | null {
    if (!this.timingOut.has(subscriptionId)) return null;
    const now = Date.now();
    // Past already, or nothing in flight: the oldest attempt timed out and is being recorded.
    const expected = Math.max(this.stuckUntil(subscriptionId) ?? now, now) + TURN_MARGIN_MS;
    const turn = Math.max(expected, this.turns.get(subscriptionId) ?? 0);
    if (turn - now > MAX_TURN_AHEAD_MS) return now + MAX_TURN_AHEAD_MS + Math.random() * MAX_TURN_AHEAD_MS;
    if (this.turns.size >= MAX_TRACKED_MOVES && !this.turns.has(subscriptionId)) this.turns.clear();
    this.turns.set(subscriptionId, turn + this.attemptTimeoutMs / this.cap);
    return turn;
  }

  /** When the oldest attempt of a stuck endpoint times out; null when the endpoint is not stuck. */
  private stuckUntil(subscriptionId: string): number | null {
    const oldest = this.inFlight.get(subscriptionId)?.[0];
    if (oldest === undefined || this.moving(subscriptionId)) return null;
    const stuck = Date.now() - oldest >= STUCK_AFTER_MS || this.timingOut.has(subscriptionId);
    return stuck ? oldest + this.attemptTimeoutMs : null;
  }

  /** The attempt taken at `since` (if any) times out, and so frees its slot, within `ms`. */
  private timesOutWithin(since: number | undefined, ms: number): boolean {
    return since !== undefined && since + this.attemptTimeoutMs + TURN_MARGIN_MS - Date.now() <= ms;
  }

  private take(subscriptionId: string, starts: number[]): EndpointSlot {
    const since = Date.now();
    starts.push(since);
    this.inFlight.set(subscriptionId, starts);
    return { subscriptionId, since };
  }

  private moving(subscriptionId: string): boolean {
    return Date.now() - (this.lastMoved.get(subscriptionId) ?? 0) < MOVING_MS;
  }

  private moved(subscriptionId: string): void {
    if (this.lastMoved.size >= MAX_TRACKED_MOVES) this.lastMoved.clear();
    this.lastMoved.set(subscriptionId, Date.now());
  }

  private handOver(subscriptionId: string, ms: number): Promise<EndpointSlot | null> {
    return new Promise((resolve) => {
      const queue = this.waiters.get(subscriptionId) ?? [];
      this.waiters.set(subscriptionId, queue);
      const settle = (slot: EndpointSlot | null) => {
        clearTimeout(timer);
        queue.splice(queue.indexOf(settle), 1);
        if (queue.length === 0 && this.waiters.get(subscriptionId) === queue) this.waiters.delete(subscriptionId);
        resolve(slot);
      };
      const timer = setTimeout(() => settle(null), ms);
      queue.push(settle);
    });
  }
}
