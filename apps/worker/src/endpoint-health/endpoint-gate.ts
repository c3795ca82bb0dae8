import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { DeferralReason, operatorKeys } from '@hookline/operators';
import { DeliveryJobData, FailOpen, RedisService } from '@hookline/queue';
import type { OutcomeKind } from '@hookline/retry-policy';
import { SubscriptionsService } from '@hookline/subscriptions';
import { Clock } from './clock';
import { DeferralRecorder } from './deferral-recorder';
import { DeliveryMetrics } from './delivery-metrics';
import { DisabledSubscriptionsRepository } from './disabled-subscriptions.repository';
import { EndpointSlot, EndpointSlots } from './endpoint-slots';
import { EndpointHealthScripts } from './endpoint-health.scripts';
import { OpenBreakersView } from './open-breakers.view';
import { OperatorEvents } from './operator-events';

/** docs/contract.md#delivery-semantics: disabled (`failing`) after this long of nothing but failures… */
export const AUTO_DISABLE_AFTER_MS = 5 * 24 * 3600_000;
/** …and at least this many failed attempts in a row. */
export const AUTO_DISABLE_MIN_FAILURES = 10;
/** The breaker's state outlives the auto-disable window; any write refreshes it. */
const BREAKER_TTL_MS = AUTO_DISABLE_AFTER_MS + 2 * 24 * 3600_000;
/** Waits are spread by up to this much, so a held-back backlog does not come back all at once. */
const JITTER_MS = 1_000;
/** While another worker's probe is in flight, check back after this long at most. */
const PROBE_WAIT_MS = 5_000;
/**
 * A busy endpoint (ENDPOINT_MAX_IN_FLIGHT reached): check back after this long, spread by JITTER_MS;
 * when it looks stuck (EndpointSlots.slotExpectedAt), only once its oldest attempt times out (it frees no slot sooner), so a
 * hanging endpoint's backlog is re-checked about once per DELIVERY_TIMEOUT_MS, not every second.
 */
const BUSY_WAIT_MS = 500;
/** …unless a slot frees within this long while the endpoint is moving (see EndpointSlots). */
const BUSY_LOCAL_WAIT_MS = 250;
/**
 * A success resets the breaker's failure streak in Redis at most this often per subscription and
 * worker (and always when this worker saw it fail since, or it may be open). So a streak can hide
 * successes of its first second only, and a breaker opens after at least BREAKER_OPEN_AFTER_MS
 * less that second of nothing but failures. Under 2 s of BREAKER_OPEN_AFTER_MS the interval is
 * half of it (with 0, every success resets).
 */
const SUCCESS_RESET_INTERVAL_MS = 1_000;
/** Bounds the memory of when each subscription's streak was last reset here. */
const MAX_TRACKED_RESETS = 10_000;
/**
 * `rateLimitPerSecond` is enforced per 1.05 s: a request reaches the receiver a little after it
 * was let through (connection, scheduling), and the 5 % keeps a sliding second at the receiver
 * within the limit despite up to 50 ms of such jitter.
 */
const RATE_WINDOW_MS = 1_050;

export interface GatedSubscription {
  id: string;
  rateLimitPerSecond?: number | null;
}

/** What `admit` let through, handed back to `attempted` and then to `release`. */
export interface Admission {
  subscriptionId: string;
  deliveryId: string;
  slot: EndpointSlot;
  /** This attempt is the one probe through an open breaker (its token). */
  probe?: string;
  released?: boolean;
}

export interface AttemptResult {
  job: DeliveryJobData;
  attemptNumber: number;
  verdict: OutcomeKind;
  status: 'succeeded' | 'failed' | 'dead';
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

/**
 * Endpoint health around each attempt (docs/contract.md#delivery-semantics):
 * - circuit breaker per subscription, shared by every worker through Redis: after
 *   BREAKER_FAILURE_THRESHOLD failed attempts in a row spanning BREAKER_OPEN_AFTER_MS it opens; its
 *   deliveries wait BREAKER_COOLDOWN_MS, then one probe goes; success closes it, failure re-opens it;
 * - `rateLimitPerSecond`, across workers through Redis: evenly spaced send slots, a delivery delayed to its slot;
 * - ENDPOINT_MAX_IN_FLIGHT per worker process: a slow or hanging endpoint cannot take every worker slot;
 * - auto-disable (`failing`) after 5 days of only failures, at least 10 in a row;
 * - metrics, and operator events for dead deliveries and disabled subscriptions.
 * A delivery held back is moved to delayed with its attempt counters untouched: no attempt used.
 * If Redis errors here the attempt goes ahead (the queue itself needs Redis anyway).
 * A delivery to a healthy endpoint without a rate limit, nearly all of them, costs no Redis round
 * trip (OpenBreakersView, and successes reset the streak at most once a second).
 * Why this shape: docs/decisions/endpoint-health.md.
 */
@Injectable()
export class EndpointGate {
  private readonly logger = new Logger(EndpointGate.name);
  private readonly keys: ReturnType<typeof operatorKeys>;
  private readonly lockMs: number;
  private readonly slots: EndpointSlots;
  private readonly successResetIntervalMs: number;
  /** When a success last reset each subscription's failure streak from this worker. */
  private readonly lastReset = new Map<string, number>();
  private readonly scripts: EndpointHealthScripts;

  constructor(
    redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: DeliveryMetrics,
    private readonly deferrals: DeferralRecorder,
    private readonly operatorEvents: OperatorEvents,
    private readonly subscriptions: SubscriptionsService,
    private readonly disabled: DisabledSubscriptionsRepository,
    private readonly openBreakers: OpenBreakersView,
    private readonly failOpen: FailOpen,
  ) {
    this.keys = operatorKeys(config.QUEUE_PREFIX);
    this.scripts = new EndpointHealthScripts(redis);
    this.lockMs = config.DELIVERY_TIMEOUT_MS + 5_000;
    this.slots = new EndpointSlots(config.ENDPOINT_MAX_IN_FLIGHT, config.DELIVERY_TIMEOUT_MS);
    this.successResetIntervalMs = Math.min(SUCCESS_RESET_INTERVAL_MS, Math.floor(config.BREAKER_OPEN_AFTER_MS / 2));
  }

  /**
   * Before the POST. Throws DelayedError (the job already moved to delayed) when held back. What it
   * returns must reach `release` once the attempt is over, whatever happens to it.
   */
  async admit(job: Job<DeliveryJobData>, token: string | undefined, subscription: GatedSubscription): Promise<Admission> {
    const id = subscription.id;
    const deliveryId = job.data.deliveryId;
    // The local slot first: a rate-limited ADMIT that ends held back would waste its send slot.
    const slot = await this.slots.acquire(id, BUSY_LOCAL_WAIT_MS);
    if (!slot) {
      const untilFree = Math.max(BUSY_WAIT_MS, this.slots.slotExpectedAt(id) - Date.now());
      return this.holdBack(job, token, 'endpoint_busy', untilFree + Math.random() * JITTER_MS);
    }
    const admission: Admission = { subscriptionId: id, deliveryId, slot };
    const limit = subscription.rateLimitPerSecond;
    if (!limit && !this.openBreakers.mayBeOpen(id)) return admission;

    const probeToken = randomUUID();
    const verdict = await this.failingOpen(() =>
      this.scripts.admit(
        { breaker: this.keys.breaker(id), probe: this.keys.probe(id), rateSlot: this.keys.rateSlot(id), rateReservation: this.keys.rateReservation(id, deliveryId), rateLog: this.keys.rateLog(id) },
        [this.clock.now(), probeToken, this.lockMs, deliveryId, limit ? RATE_WINDOW_MS / limit : 0, limit ?? 0, RATE_WINDOW_MS],
      ),
    );
    // Redis unavailable for this: the attempt goes ahead (the queue itself needs Redis anyway).
    if (!verdict) return admission;
    if (verdict.kind === 'go') return { ...admission, probe: verdict.probe ? probeToken : undefined };
    this.release(admission);
    if (verdict.kind === 'breaker_open') {
      this.openBreakers.opened(id);
      const waitMs = verdict.waitMs > 0 ? verdict.waitMs : Math.min(PROBE_WAIT_MS, this.config.BREAKER_COOLDOWN_MS);
      return this.holdBack(job, token, 'circuit_open', waitMs + Math.random() * JITTER_MS);
    }
    return this.holdBack(job, token, 'rate_limited', verdict.waitMs);
  }

  /** After the attempt is recorded: breaker, metrics, operator events. Never throws: the attempt is durable already. */
  async attempted(admission: Admission, result: AttemptResult): Promise<void> {
    try {
      await this.settle(admission, result);
    } catch (error) {
      this.logger.warn(`endpoint health of ${admission.subscriptionId} not updated: ${(error as Error).message}`);
    }
  }

  /** Gives the admission's in-flight slot back; once, however often it is called. */
  release(admission: Admission): void {
    if (admission.released) return;
    admission.released = true;
    this.slots.release(admission.slot);
  }

  private async settle(admission: Admission, result: AttemptResult): Promise<void> {
    const { job } = result;
    this.metrics.attempt(result.status, result.durationMs);
    if (result.status === 'dead') {
      await this.operatorEvents.emit('delivery.dead', `${job.deliveryId}:${result.attemptNumber}`, {
        tenantId: job.tenantId,
        subscriptionId: job.subscriptionId,
        deliveryId: job.deliveryId,
        eventId: job.eventId,
        eventType: job.eventType,
        attempts: result.attemptNumber,
        lastStatusCode: result.statusCode,
        lastError: result.error,
      });
    }

    const id = admission.subscriptionId;
    // 410 disabled the subscription already: nothing to learn about its health.
    if (result.verdict === 'gone') {
      await this.reportDisabled(job, 'gone');
      return;
    }
    const outcome = result.verdict === 'succeeded' ? 'success' : 'failure';
    if (outcome === 'success' && !this.mustResetStreak(admission)) return;
    const now = this.clock.now();
    const state = await this.failingOpen(() =>
      this.scripts.settle({ breaker: this.keys.breaker(id), openBreakers: this.keys.openBreakers, probe: this.keys.probe(id) }, [
        id,
        outcome,
        admission.probe ? 1 : 0,
        now,
        this.config.BREAKER_FAILURE_THRESHOLD,
        this.config.BREAKER_OPEN_AFTER_MS,
        this.config.BREAKER_COOLDOWN_MS,
        BREAKER_TTL_MS,
      ]),
    );
    if (!state) return;
    const { closed, consecutiveFailures: failures, firstFailureAt, opened } = state;
    this.streakSettled(id, outcome, opened);
    if (closed) this.logger.log(`circuit closed for subscription ${id}: ${admission.probe ? 'the probe' : 'an attempt'} succeeded`);
    if (opened) this.logger.warn(`circuit opened for subscription ${id} after ${failures} failed attempts in a row`);
    if (outcome === 'failure' && failures >= AUTO_DISABLE_MIN_FAILURES && now - firstFailureAt >= AUTO_DISABLE_AFTER_MS) {
      if (await this.subscriptions.disableUnhealthy(id, 'failing')) {
        this.logger.warn(`subscription ${id} disabled (failing): ${failures} failed attempts in a row since ${new Date(firstFailureAt).toISOString()}`);
        await this.reportDisabled(job, 'failing', { consecutiveFailures: failures, failingSince: new Date(firstFailureAt).toISOString() });
      }
    }
  }

  /** A success resets the failure streak unless this worker reset it moments ago and saw no failure since. */
  private mustResetStreak(admission: Admission): boolean {
    const id = admission.subscriptionId;
    const last = this.lastReset.get(id);
    return admission.probe !== undefined || this.openBreakers.mayBeOpen(id) || last === undefined || Date.now() - last >= this.successResetIntervalMs;
  }

  private streakSettled(subscriptionId: string, outcome: 'success' | 'failure', opened: boolean): void {
    if (outcome === 'failure') {
      this.lastReset.delete(subscriptionId);
      if (opened) this.openBreakers.opened(subscriptionId);
      return;
    }
    this.openBreakers.closed(subscriptionId);
    if (this.lastReset.size >= MAX_TRACKED_RESETS) this.lastReset.clear();
    this.lastReset.set(subscriptionId, Date.now());
  }

  private async reportDisabled(job: DeliveryJobData, reason: 'gone' | 'failing', extra: Record<string, unknown> = {}) {
    if (!this.operatorEvents.enabled) return;
    const row = await this.disabled.disabledState(job.subscriptionId);
    if (!row || row.disabledReason !== reason || !row.disabledAt) return;
    await this.operatorEvents.emit('subscription.disabled', `${job.subscriptionId}:${row.disabledAt.getTime()}`, {
      tenantId: job.tenantId,
      subscriptionId: job.subscriptionId,
      url: row.url,
      reason,
      disabledAt: row.disabledAt.toISOString(),
      ...extra,
    });
  }

  private async holdBack(job: Job<DeliveryJobData>, token: string | undefined, reason: DeferralReason, waitMs: number): Promise<never> {
    const until = Date.now() + Math.max(1, Math.round(waitMs));
    await job.moveToDelayed(until, token);
    this.deferrals.deferred(job.data.deliveryId, new Date(until));
    this.metrics.deferred(reason);
    throw new DelayedError();
  }

  /** A script's answer, or null when Redis fails (recorded: the gate fails open). */
  private async failingOpen<T>(call: () => Promise<T>): Promise<T | null> {
    try {
      return await call();
    } catch (error) {
      this.failOpen.record('endpoint_gate', error);
      return null;
    }
  }
}
