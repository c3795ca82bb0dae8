import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { createHash, randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { DeferralReason, operatorKeys } from '@hookline/operators';
import { DeliveryJobData, RedisService } from '@hookline/queue';
import type { OutcomeKind } from '@hookline/retry-policy';
import { SubscriptionsService } from '@hookline/subscriptions';
import { Clock } from './clock';
import { DeferralRecorder } from './deferral-recorder';
import { DeliveryMetrics } from './delivery-metrics';
import { DisabledSubscriptionsRepository } from './disabled-subscriptions.repository';
import { ADMIT, SETTLE } from './endpoint-health.scripts';
import { OperatorEvents } from './operator-events';

/** SPEC 5: disabled (`failing`) after this long of nothing but failures… */
export const AUTO_DISABLE_AFTER_MS = 5 * 24 * 3600_000;
/** …and at least this many failed attempts in a row. */
export const AUTO_DISABLE_MIN_FAILURES = 10;
/** The breaker's state outlives the auto-disable window; any write refreshes it. */
const BREAKER_TTL_MS = AUTO_DISABLE_AFTER_MS + 2 * 24 * 3600_000;
/** Waits are spread by up to this much, so a held-back backlog does not come back all at once. */
const JITTER_MS = 1_000;
/** While another worker's probe is in flight, check back after this long at most. */
const PROBE_WAIT_MS = 5_000;
/** A busy endpoint (ENDPOINT_MAX_IN_FLIGHT reached): check back after 0.5..1.5 s. */
const BUSY_WAIT_MS = 500;
/**
 * …but when this worker freed one of the endpoint's slots within BUSY_MOVING_MS, wait up to this long
 * in the worker for the next one instead: a fast endpoint frees one every few milliseconds, and
 * deferring (a Redis move now, a fetch and a re-check later) costs more than the wait. A hanging
 * endpoint frees none, so its deliveries are deferred at once and give their worker slots back.
 */
const BUSY_LOCAL_WAIT_MS = 250;
const BUSY_MOVING_MS = 100;
/** Bounds the memory of when each subscription last freed a slot here. */
const MAX_TRACKED_RELEASES = 10_000;
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

/** What `admit` let through, handed back to `attempted`. */
export interface Admission {
  subscriptionId: string;
  deliveryId: string;
  /** This attempt is the one probe through an open breaker (its token). */
  probe?: string;
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
 * Endpoint health around each attempt (SPEC 5), shared by every worker through Redis:
 * - circuit breaker per subscription: after BREAKER_FAILURE_THRESHOLD failed attempts in a row
 *   spanning BREAKER_OPEN_AFTER_MS it opens; its deliveries wait BREAKER_COOLDOWN_MS, then one
 *   probe goes; success closes it, failure re-opens it;
 * - `rateLimitPerSecond`: evenly spaced send slots, a delivery delayed to its slot;
 * - ENDPOINT_MAX_IN_FLIGHT: a slow or hanging endpoint cannot take every worker slot;
 * - auto-disable (`failing`) after 5 days of only failures, at least 10 in a row;
 * - metrics, and operator events for dead deliveries and disabled subscriptions.
 * A delivery held back is moved to delayed with its attempt counters untouched: no attempt used.
 * If Redis errors here the attempt goes ahead (the queue itself needs Redis anyway).
 */
@Injectable()
export class EndpointGate {
  private readonly logger = new Logger(EndpointGate.name);
  private readonly keys: ReturnType<typeof operatorKeys>;
  private readonly lockMs: number;
  /** Deliveries of this worker waiting for a slot of a busy endpoint, by subscription. */
  private readonly slotWaiters = new Map<string, (() => void)[]>();
  /** When this worker last freed a slot of each subscription: a recent one means the endpoint is moving. */
  private readonly lastRelease = new Map<string, number>();

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: DeliveryMetrics,
    private readonly deferrals: DeferralRecorder,
    private readonly operatorEvents: OperatorEvents,
    private readonly subscriptions: SubscriptionsService,
    private readonly disabled: DisabledSubscriptionsRepository,
  ) {
    this.keys = operatorKeys(config.QUEUE_PREFIX);
    this.lockMs = config.DELIVERY_TIMEOUT_MS + 5_000;
  }

  /** Before the POST. Throws DelayedError (the job already moved to delayed) when held back. */
  async admit(job: Job<DeliveryJobData>, token: string | undefined, subscription: GatedSubscription): Promise<Admission> {
    const id = subscription.id;
    const deliveryId = job.data.deliveryId;
    const limit = subscription.rateLimitPerSecond;
    // Not with a rate limit: every ADMIT that ends busy has used up a send slot.
    const waitUntil = limit ? 0 : Date.now() + BUSY_LOCAL_WAIT_MS;
    for (;;) {
      const probeToken = randomUUID();
      const verdict = await this.eval<[number, number]>(
        ADMIT,
        [this.keys.breaker(id), this.keys.probe(id), this.keys.inFlight(id), this.keys.rateSlot(id), this.keys.rateReservation(id, deliveryId), this.keys.rateLog(id)],
        [
          this.clock.now(),
          probeToken,
          this.lockMs,
          deliveryId,
          this.config.ENDPOINT_MAX_IN_FLIGHT,
          this.lockMs,
          limit ? RATE_WINDOW_MS / limit : 0,
          limit ?? 0,
          RATE_WINDOW_MS,
        ],
      );
      // Redis unavailable for this: the attempt goes ahead (the queue itself needs Redis anyway).
      if (!verdict) return { subscriptionId: id, deliveryId };
      const [kind, value] = verdict;
      switch (kind) {
        case 1:
          return this.holdBack(job, token, 'circuit_open', (value > 0 ? value : Math.min(PROBE_WAIT_MS, this.config.BREAKER_COOLDOWN_MS)) + Math.random() * JITTER_MS);
        case 2:
          return this.holdBack(job, token, 'rate_limited', value);
        case 3: {
          const left = waitUntil - Date.now();
          if (left > 0 && Date.now() - (this.lastRelease.get(id) ?? 0) < BUSY_MOVING_MS) {
            await this.slotFreed(id, left);
            continue;
          }
          return this.holdBack(job, token, 'endpoint_busy', BUSY_WAIT_MS + Math.random() * JITTER_MS);
        }
        default:
          return { subscriptionId: id, deliveryId, probe: value === 1 ? probeToken : undefined };
      }
    }
  }

  /** Resolves when this worker frees a slot of the subscription (first come, first served), or after `ms`. */
  private slotFreed(subscriptionId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.slotWaiters.get(subscriptionId) ?? [];
      this.slotWaiters.set(subscriptionId, waiters);
      const wake = () => {
        clearTimeout(timer);
        const i = waiters.indexOf(wake);
        if (i >= 0) waiters.splice(i, 1);
        if (waiters.length === 0 && this.slotWaiters.get(subscriptionId) === waiters) this.slotWaiters.delete(subscriptionId);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.push(wake);
    });
  }

  private slotReleased(subscriptionId: string): void {
    if (this.lastRelease.size >= MAX_TRACKED_RELEASES) this.lastRelease.clear();
    this.lastRelease.set(subscriptionId, Date.now());
    this.slotWaiters.get(subscriptionId)?.[0]?.();
  }

  /** After the attempt is recorded. Never throws: the attempt is durable already. */
  async attempted(admission: Admission, result: AttemptResult): Promise<void> {
    try {
      await this.settle(admission, result);
    } catch (error) {
      this.logger.warn(`endpoint health of ${admission.subscriptionId} not updated: ${(error as Error).message}`);
    } finally {
      this.slotReleased(admission.subscriptionId);
    }
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
    const now = this.clock.now();
    // 410 disabled the subscription already: nothing to learn about its health.
    const outcome = result.verdict === 'gone' ? 'none' : result.verdict === 'succeeded' ? 'success' : 'failure';
    const state = await this.eval<[number, number, number, number]>(
      SETTLE,
      [this.keys.inFlight(id), this.keys.breaker(id), this.keys.openBreakers, this.keys.probe(id)],
      [
        admission.deliveryId,
        id,
        outcome,
        admission.probe ? 1 : 0,
        now,
        this.config.BREAKER_FAILURE_THRESHOLD,
        this.config.BREAKER_OPEN_AFTER_MS,
        this.config.BREAKER_COOLDOWN_MS,
        BREAKER_TTL_MS,
      ],
    );
    if (result.verdict === 'gone') {
      await this.reportDisabled(job, 'gone');
      return;
    }
    if (!state) return;
    const [closed, failures, firstFailureAt, opened] = state;
    if (closed) this.logger.log(`circuit closed for subscription ${id}: ${admission.probe ? 'the probe' : 'an attempt'} succeeded`);
    if (opened) this.logger.warn(`circuit opened for subscription ${id} after ${failures} failed attempts in a row`);
    if (outcome === 'failure' && failures >= AUTO_DISABLE_MIN_FAILURES && now - firstFailureAt >= AUTO_DISABLE_AFTER_MS) {
      if (await this.subscriptions.disableUnhealthy(id, 'failing')) {
        this.logger.warn(`subscription ${id} disabled (failing): ${failures} failed attempts in a row since ${new Date(firstFailureAt).toISOString()}`);
        await this.reportDisabled(job, 'failing', { consecutiveFailures: failures, failingSince: new Date(firstFailureAt).toISOString() });
      }
    }
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

  /** EVALSHA, loading the script on first use (NOSCRIPT); null when Redis fails. */
  private async eval<T>(script: string, keys: string[], args: (string | number)[]): Promise<T | null> {
    const sha = (SHAS.get(script) ?? SHAS.set(script, createHash('sha1').update(script).digest('hex')).get(script))!;
    try {
      try {
        return (await this.redis.evalsha(sha, keys.length, ...keys, ...args)) as T;
      } catch (error) {
        if (!/NOSCRIPT/.test((error as Error).message)) throw error;
        return (await this.redis.eval(script, keys.length, ...keys, ...args)) as T;
      }
    } catch (error) {
      this.logger.debug(`endpoint health check skipped: ${(error as Error).message}`);
      return null;
    }
  }
}

const SHAS = new Map<string, string>();
