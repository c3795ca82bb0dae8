import type { Job } from 'bullmq';

/** A job's lane: BullMQ's priority, 0 (none) for the fast lane; lower goes first. */
export type Lane = number;

/** The lane of jobs without a priority: a tenant within its fair share. */
export const FAST_LANE: Lane = 0;

export function jobLane(job: Pick<Job, 'opts'>): Lane {
  return job.opts.priority ?? FAST_LANE;
}

/** Who asks for a slot: its lane and its tenant. */
export interface SlotHolder {
  lane: Lane;
  tenantId: string;
}

export function slotHolder(job: Pick<Job<{ tenantId: string }>, 'opts' | 'data'>): SlotHolder {
  return { lane: jobLane(job), tenantId: job.data.tenantId };
}

interface Waiter {
  /** Lane × 2, + 1 for a job that has not started yet. */
  order: number;
  tenantId: string;
  grant: () => void;
}

/** How long after a tenant's fast-lane job last asked for a slot the worker still keeps slots for it. */
export const QUIET_TENANT_MEMORY_MS = 1_000;

/**
 * Which of the jobs a worker holds may do the worker's own work (reading the subscription, claiming,
 * signing, recording) now. A job gives its slot back while it waits on something outside the process
 * (its endpoint's answer, a busy endpoint's turn) and takes one again after, so jobs waiting on slow
 * receivers never hold one.
 *
 * Jobs waiting for a slot are taken lowest lane first, then in the order they asked. Fast-lane jobs
 * (quiet tenants) may use every slot. A job of a slower lane (a backlog) takes one only while fewer
 * than `backlogSize` are in use, whoever uses them, if another tenant had a fast-lane job within the
 * last second, and any free one otherwise: beside a backlog, a quiet tenant's delivery starts at
 * once and shares the thread with `backlogSize` of the backlog's jobs rather than with every job the
 * worker holds; with no other tenant around, the backlog drains as fast as before.
 * Why: docs/decisions/fair-tenants.md.
 */
export class WorkingSlots {
  private inUse = 0;
  /** The last two tenants seen in the fast lane, latest first, and when. */
  private readonly quiet: { tenantId: string; at: number }[] = [];
  /** Waiters by order; `orders` keeps the orders that have waiters, lowest first. */
  private readonly waiting = new Map<number, Waiter[]>();
  private readonly orders: number[] = [];

  constructor(
    /** Every job the worker holds (WORKER_CONCURRENCY). */
    readonly size: number,
    /** What the slower lanes may use while a quiet tenant is around (WORKER_BACKLOG_SLOTS). */
    readonly backlogSize: number = size,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Resolves when the caller holds a slot; it must `release` it exactly once. A job coming back
   * from outside (`aside`) goes ahead of the jobs of its lane that have not started: finishing it
   * frees its place in the queue's count, which is what lets the worker fetch the next job.
   */
  acquire({ lane, tenantId }: SlotHolder, resuming = false): Promise<void> | void {
    if (lane === 0) this.sawQuiet(tenantId);
    const order = lane * 2 + (resuming ? 0 : 1);
    if (this.orders.length === 0 && this.inUse < this.limit(order, tenantId)) {
      this.inUse++;
      return;
    }
    const granted = new Promise<void>((grant) => this.enqueue({ order, tenantId, grant }));
    // It may go ahead of waiters held back, or a backlog's limit may have lifted since the last release.
    this.grantWaiting();
    return granted;
  }

  release(): void {
    this.inUse--;
    this.grantWaiting();
  }

  /** Gives the caller's slot back while `outside` settles, then waits for one again in its lane. */
  async aside<T>(holder: SlotHolder, outside: Promise<T>): Promise<T> {
    this.release();
    try {
      return await outside;
    } finally {
      await this.acquire(holder, true);
    }
  }

  /** Jobs waiting for a slot (for tests). */
  get queued(): number {
    let count = 0;
    for (const waiters of this.waiting.values()) count += waiters.length;
    return count;
  }

  private grantWaiting(): void {
    for (let first = this.peek(); first && this.inUse < this.limit(first.order, first.tenantId); first = this.peek()) {
      this.inUse++;
      this.dequeue()!.grant();
    }
  }

  /** Slots in use below which a job of this order and tenant may take one. */
  private limit(order: number, tenantId: string): number {
    const fastLane = order < 2;
    return fastLane || !this.otherQuietTenant(tenantId) ? this.size : this.backlogSize;
  }

  /** A tenant other than this one had a fast-lane job within QUIET_TENANT_MEMORY_MS: a backlog is never held back for itself. */
  private otherQuietTenant(tenantId: string): boolean {
    const since = this.now() - QUIET_TENANT_MEMORY_MS;
    return this.quiet.some((seen) => seen.tenantId !== tenantId && seen.at > since);
  }

  private sawQuiet(tenantId: string): void {
    const at = this.now();
    if (this.quiet[0]?.tenantId === tenantId) this.quiet[0].at = at;
    else {
      this.quiet.unshift({ tenantId, at });
      this.quiet.length = Math.min(this.quiet.length, 2);
    }
  }

  private peek(): Waiter | undefined {
    const order = this.orders[0];
    return order === undefined ? undefined : this.waiting.get(order)![0];
  }

  private enqueue(waiter: Waiter): void {
    let waiters = this.waiting.get(waiter.order);
    if (!waiters) {
      waiters = [];
      this.waiting.set(waiter.order, waiters);
      const at = this.orders.findIndex((order) => order > waiter.order);
      this.orders.splice(at === -1 ? this.orders.length : at, 0, waiter.order);
    }
    waiters.push(waiter);
  }

  private dequeue(): Waiter | undefined {
    const order = this.orders[0];
    if (order === undefined) return undefined;
    const waiters = this.waiting.get(order)!;
    const next = waiters.shift();
    if (waiters.length === 0) {
      this.waiting.delete(order);
      this.orders.shift();
    }
    return next;
  }
}
