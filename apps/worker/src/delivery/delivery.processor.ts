import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { HttpDeliveryClient } from '@hookline/http-delivery';
import { newId } from '@hookline/ids';
import { DeliveryJobData } from '@hookline/queue';
import { classifyOutcome, nextAttemptDelay } from '@hookline/retry-policy';
import { SubscriptionsService } from '@hookline/subscriptions';
import { contextFrom, inSpan, Span } from '@hookline/tracing';
import { Admission, EndpointGate } from '../endpoint-health/endpoint-gate';
import { AttemptRecorder } from './attempt-recorder';
import { DeliveryUpdatesPublisher } from './delivery-updates.publisher';
import { outgoingRequest } from './outgoing-request';
import { CachedSubscription, SubscriptionCache } from './subscription-cache';
import { DeliveryCancellationRepository } from './delivery-cancellation.repository';
import { deliveryLogFields } from './delivery-log-fields';
import { Claim, DeliveryClaims } from './delivery-claims';
import { InternalFailures } from './internal-failures';
import { SlotHolder, slotHolder, WorkingSlots } from './working-slots';

type SendClaim = Extract<Claim, { kind: 'send' }>;

/** A delivery another job is sending is looked at again when that claim ends, spread by up to this much. */
const BUSY_JITTER_MS = 1_000;

/**
 * One job = one attempt of one delivery. A retry keeps the same job (and so the same job id =
 * delivery id): it is moved back to delayed instead of being re-added. Each attempt is claimed in
 * Postgres first (DeliveryClaims), which is what keeps a cancelled or succeeded delivery unsent and
 * one delivery from being sent by two jobs at once; the attempt counters come from that claim.
 * Anything thrown that is not the endpoint's answer goes to InternalFailures (logged, counted,
 * retried, dead at a bound) instead of silently failing the job.
 * DeliveryWorkers runs it for every shard's queue.
 */
@Injectable()
export class DeliveryProcessor {
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly http: HttpDeliveryClient,
    private readonly subscriptions: SubscriptionCache,
    private readonly recorder: AttemptRecorder,
    private readonly updates: DeliveryUpdatesPublisher,
    private readonly cancellations: DeliveryCancellationRepository,
    private readonly subscriptionsService: SubscriptionsService,
    private readonly endpointGate: EndpointGate,
    private readonly claims: DeliveryClaims,
    private readonly internalFailures: InternalFailures,
    private readonly working: WorkingSlots,
  ) {}

  /** Takes a working slot (WorkingSlots), kept to the end but while the job waits outside, then delivers. */
  async process(job: Job<DeliveryJobData>, token?: string): Promise<void> {
    const holder = slotHolder(job);
    await this.working.acquire(holder);
    const claimed: { lease: Date | null } = { lease: null };
    try {
      await this.deliver(job, token, holder, claimed);
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      await this.internalFailures.failed(job, token, error, claimed.lease);
    } finally {
      this.working.release();
    }
  }

  private async deliver(job: Job<DeliveryJobData>, token: string | undefined, holder: SlotHolder, claimed: { lease: Date | null }): Promise<void> {
    const data = job.data;
    let subscription = await this.subscriptions.get(data.subscriptionId);
    // Disabled or deleted: the API cancels waiting deliveries, but one published in the same
    // instant may have slipped past; cancel it here too, or the sweeper would queue it forever.
    // Only if Postgres agrees: a cached copy taken before an enable must not cancel a new event.
    if (!subscription?.active) {
      if (await this.cancellations.cancelDelivery(data.deliveryId)) return;
      this.subscriptions.forget(data.subscriptionId);
      subscription = await this.subscriptions.get(data.subscriptionId);
      // Still inactive: the delivery is no longer open, or another job is sending it and will cancel it.
      if (!subscription?.active) return;
    }
    if (subscription.signers.length === 0) {
      await this.cancellations.cancelDelivery(data.deliveryId, { evenIfActive: true });
      return;
    }
    // Endpoint health (breaker, rate limit, in-flight cap): held back = delayed, no attempt used.
    const admission = await this.endpointGate.admit(job, token, subscription, (turn) => this.working.aside(holder, turn));
    let retryAt: Date | null;
    try {
      const claim = await this.claims.claim(data.deliveryId, holder.lane);
      // Cancelled, succeeded, dead or purged since this job was queued: it ends here, unsent.
      if (claim.kind === 'closed') return;
      if (claim.kind === 'busy') {
        await job.moveToDelayed(claim.until.getTime() + Math.round(Math.random() * BUSY_JITTER_MS), token);
        throw new DelayedError();
      }
      claimed.lease = claim.lease;
      retryAt = await this.attempt(data, holder, subscription, admission, claim);
    } finally {
      this.endpointGate.release(admission);
    }
    if (retryAt) {
      await job.moveToDelayed(retryAt.getTime(), token);
      throw new DelayedError();
    }
  }

  /**
   * One span per attempt, in the publish's trace (carried by the job, or read with the event when
   * queued again from Postgres); the undici request span is its child.
   */
  private attempt(data: DeliveryJobData, holder: SlotHolder, subscription: CachedSubscription, admission: Admission, claim: SendClaim): Promise<Date | null> {
    const attributes = {
      'hookline.delivery_id': data.deliveryId,
      'hookline.event_id': data.eventId,
      'hookline.subscription_id': data.subscriptionId,
      'hookline.tenant_id': data.tenantId,
      'hookline.attempt': claim.attemptCount + 1,
    };
    return inSpan('webhook.attempt', { attributes, parent: contextFrom(data) }, (span) => this.sendAndRecord(data, holder, subscription, admission, claim, span));
  }

  /** Signs, sends and records one attempt; when to retry, if at all. */
  private async sendAndRecord(
    data: DeliveryJobData,
    holder: SlotHolder,
    subscription: CachedSubscription,
    admission: Admission,
    claim: SendClaim,
    span: Span,
  ): Promise<Date | null> {
    const attemptNumber = claim.attemptCount + 1;
    const cycleAttempts = claim.cycleAttempts + 1;
    const startedAt = new Date();
    const { body, headers } = outgoingRequest(data, subscription, attemptNumber, startedAt.getTime());
    // The endpoint's answer is waited for without a working slot: a slow receiver holds only its place in WORKER_CONCURRENCY.
    const outcome = await this.working.aside(holder, this.http.post(subscription.url, body, headers));

    const verdict = classifyOutcome(outcome);
    const next =
      verdict === 'retry'
        ? nextAttemptDelay({
            schedule: this.config.RETRY_SCHEDULE,
            attemptInCycle: cycleAttempts,
            statusCode: outcome.statusCode,
            retryAfterHeader: outcome.responseHeaders['retry-after'],
            now: new Date(),
          })
        : null;
    const status = verdict === 'succeeded' ? 'succeeded' : next?.kind === 'retry' ? 'failed' : 'dead';
    const nextAttemptAt = next?.kind === 'retry' ? new Date(Date.now() + next.delayMs) : null;

    if (verdict === 'gone') {
      // Before the attempt is recorded, so whoever sees this delivery dead on a 410 sees its
      // subscription disabled too (the delivery is claimed, so the disable leaves it to us).
      this.logger.warn(deliveryLogFields(data), `subscription ${data.subscriptionId} answered 410 Gone: disabling it`);
      this.subscriptions.forget(data.subscriptionId);
      await this.subscriptionsService.disableUnhealthy(data.subscriptionId, 'gone');
    }
    const stored = await this.recorder.record({
      attemptId: newId('att'),
      deliveryId: data.deliveryId,
      lease: claim.lease,
      startedAt,
      durationMs: outcome.durationMs,
      statusCode: outcome.statusCode,
      error: outcome.error,
      responseBody: outcome.responseBody,
      responseHeaders: outcome.responseHeaders,
      requestHeaders: headers,
      status,
      nextAttemptAt,
      cycleAttempts,
    });
    // Only a delivery still `failed` once recorded is retried (not one cancelled meanwhile).
    const retryAt = stored === 'failed' ? nextAttemptAt : null;
    span.setAttributes({
      'hookline.outcome': stored === 'failed' ? 'retry' : (stored ?? 'deleted'),
      'hookline.duration_ms': outcome.durationMs,
      ...(outcome.statusCode !== null ? { 'http.response.status_code': outcome.statusCode } : {}),
      ...(outcome.error ? { 'hookline.error': outcome.error } : {}),
    });
    this.updates.attempted(data, {
      attempt: attemptNumber,
      status,
      startedAt,
      statusCode: outcome.statusCode,
      error: outcome.error,
      durationMs: outcome.durationMs,
      nextAttemptAt: retryAt,
    });
    await this.endpointGate.attempted(admission, {
      job: data,
      attemptNumber,
      verdict,
      status,
      durationMs: outcome.durationMs,
      statusCode: outcome.statusCode,
      error: outcome.error,
    });
    return retryAt;
  }
}
