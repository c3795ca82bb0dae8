import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { DeferralReason, DeliveryJobData, FailOpen, operatorKeys, redisKeyspace } from '@hookline/queue';
import type { OutcomeKind } from '@hookline/retry-policy';
import { AutoDisable } from './auto-disable';
import { CircuitBreaker } from './circuit-breaker';
import { EndpointSlot } from './endpoint-slots';
import { EndpointHealthScripts } from './endpoint-health.scripts';
import { HealthReports, ReportedAttempt } from './health-reports';
import { InFlightLimit } from './in-flight-limit';
import { RateLimit } from './rate-limit';
import { orNullWhenRedisFails } from './redis-fail-open';

/** Waits are spread by up to this much, so a held-back backlog does not come back all at once. */
const JITTER_MS = 1_000;

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

/** How the caller waits for a busy endpoint's turn (the worker gives its working slot back meanwhile). */
export type WaitForTurn = (turn: Promise<EndpointSlot | null>) => Promise<EndpointSlot | null>;

export interface AttemptResult extends ReportedAttempt {
  verdict: OutcomeKind;
}

/**
 * Endpoint health around each attempt (docs/contract.md#delivery-semantics), composed of:
 * - InFlightLimit: ENDPOINT_MAX_IN_FLIGHT per worker process (EndpointSlots);
 * - CircuitBreaker and RateLimit, across workers through Redis, checked together by one ADMIT script;
 * - AutoDisable: `failing` after 5 days of only failures, at least 10 in a row;
 * - HealthReports: metrics, deferral due times and operator events, out of the decisions.
 * A delivery held back is moved to delayed with its attempt counters untouched: no attempt used.
 * If Redis errors here the attempt goes ahead (the queue itself needs Redis anyway).
 * A delivery to a healthy endpoint without a rate limit, nearly all of them, costs no Redis round
 * trip (OpenBreakersView, and successes reset the streak at most once a second).
 * Why this shape: docs/decisions/endpoint-health.md.
 */
@Injectable()
export class EndpointGate {
  private readonly logger = new Logger(EndpointGate.name);
  private readonly rateLimit: RateLimit;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly inFlight: InFlightLimit,
    private readonly breaker: CircuitBreaker,
    private readonly autoDisable: AutoDisable,
    private readonly reports: HealthReports,
    private readonly scripts: EndpointHealthScripts,
    private readonly failOpen: FailOpen,
  ) {
    this.rateLimit = new RateLimit(operatorKeys(redisKeyspace(config)));
  }

  /**
   * Before the POST. Throws DelayedError (the job already moved to delayed) when held back. What it
   * returns must reach `release` once the attempt is over, whatever happens to it.
   */
  async admit(job: Job<DeliveryJobData>, token: string | undefined, subscription: GatedSubscription, waitForTurn: WaitForTurn = (turn) => turn): Promise<Admission> {
    const id = subscription.id;
    const deliveryId = job.data.deliveryId;
    // The local slot first: a rate-limited ADMIT that ends held back would waste its send slot.
    const local = this.inFlight.acquire(id);
    const slot = local instanceof Promise ? await waitForTurn(local) : local;
    if (!slot) return this.holdBack(job, token, 'endpoint_busy', this.inFlight.retryInMs(id));
    const admission: Admission = { subscriptionId: id, deliveryId, slot };
    const limit = subscription.rateLimitPerSecond;
    if (!limit && !this.breaker.mayBeOpen(id)) return admission;

    const probeToken = randomUUID();
    const verdict = await orNullWhenRedisFails(this.failOpen, () =>
      this.scripts.admit({ ...this.breaker.admitKeys(id), ...this.rateLimit.admitKeys(id, deliveryId) }, [
        ...this.breaker.admitArgs(probeToken),
        deliveryId,
        ...this.rateLimit.admitArgs(limit),
      ]),
    );
    // Redis unavailable for this: the attempt goes ahead (the queue itself needs Redis anyway).
    if (!verdict) return admission;
    if (verdict.kind === 'go') return { ...admission, probe: verdict.probe ? probeToken : undefined };
    this.release(admission);
    if (verdict.kind === 'breaker_open') {
      return this.holdBack(job, token, 'circuit_open', this.breaker.heldOpen(id, verdict.waitMs) + Math.random() * JITTER_MS);
    }
    return this.holdBack(job, token, 'rate_limited', verdict.waitMs);
  }

  /** After the attempt is recorded: breaker, auto-disable, reports. Never throws: the attempt is durable already. */
  async attempted(admission: Admission, result: AttemptResult): Promise<void> {
    try {
      await this.settle(admission, result);
    } catch (error) {
      this.logger.warn({ subscription_id: admission.subscriptionId }, `endpoint health of ${admission.subscriptionId} not updated: ${(error as Error).message}`);
    }
  }

  /** Gives the admission's in-flight slot back; once, however often it is called. */
  release(admission: Admission): void {
    if (admission.released) return;
    admission.released = true;
    this.inFlight.release(admission.slot);
  }

  private async settle(admission: Admission, result: AttemptResult): Promise<void> {
    await this.reports.attempted(result);
    const id = admission.subscriptionId;
    // 410 disabled the subscription already: nothing to learn about its health.
    if (result.verdict === 'gone') {
      await this.reports.disabledSubscription(result.job, 'gone');
      return;
    }
    const streak = await this.breaker.record(id, result.verdict === 'succeeded' ? 'success' : 'failure', admission.probe);
    if (streak && (await this.autoDisable.afterFailure(id, streak))) {
      await this.reports.disabledSubscription(result.job, 'failing', {
        consecutiveFailures: streak.consecutiveFailures,
        failingSince: new Date(streak.firstFailureAt).toISOString(),
      });
    }
  }

  private async holdBack(job: Job<DeliveryJobData>, token: string | undefined, reason: DeferralReason, waitMs: number): Promise<never> {
    const until = Date.now() + Math.max(1, Math.round(waitMs));
    await job.moveToDelayed(until, token);
    this.reports.deferred(job.data.deliveryId, new Date(until), reason);
    throw new DelayedError();
  }
}
