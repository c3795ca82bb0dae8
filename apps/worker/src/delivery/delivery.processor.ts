import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { HttpDeliveryClient } from '@hookline/http-delivery';
import { newId } from '@hookline/ids';
import { DeliveryJobData } from '@hookline/queue';
import { classifyOutcome, nextAttemptDelay } from '@hookline/retry-policy';
import { SubscriptionsService } from '@hookline/subscriptions';
import { Admission, EndpointGate } from '../endpoint-health/endpoint-gate';
import { AttemptRecorder } from './attempt-recorder';
import { DeliveryUpdatesPublisher } from './delivery-updates.publisher';
import { outgoingRequest } from './outgoing-request';
import { CachedSubscription, SubscriptionCache } from './subscription-cache';
import { DeliveryCancellationRepository } from './delivery-cancellation.repository';

/**
 * One job = one attempt of one delivery. A retry keeps the same job (and so the same job id =
 * delivery id): it is moved back to delayed with updated counters instead of being re-added.
 * Decorated with @Processor at boot (see worker.module.ts), because its options come from config.
 */
export class DeliveryProcessor extends WorkerHost {
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
  ) {
    super();
  }

  /** BullMQ reports lost locks and Redis errors here; one log line each instead of a raw stack on stderr. */
  @OnWorkerEvent('error')
  onWorkerError(error: Error) {
    this.logger.warn(`queue worker: ${error.message}`);
  }

  async process(job: Job<DeliveryJobData>, token?: string): Promise<void> {
    const data = job.data;
    const subscription = await this.subscriptions.get(data.subscriptionId);
    // Disabled or deleted: the API cancels waiting deliveries, but one published in the same
    // instant may have slipped past; cancel it here too, or the sweeper would queue it forever.
    if (!subscription?.active || subscription.signers.length === 0) {
      await this.cancellations.cancelDelivery(data.deliveryId);
      return;
    }
    // Endpoint health (breaker, rate limit, in-flight cap): held back = delayed, no attempt used.
    const admission = await this.endpointGate.admit(job, token, subscription);
    let retry: Retry | null;
    try {
      retry = await this.attempt(data, subscription, admission);
    } finally {
      this.endpointGate.release(admission);
    }
    if (retry) {
      await job.updateData({ ...data, attemptCount: retry.attemptNumber, cycleAttempts: retry.cycleAttempts });
      await job.moveToDelayed(retry.at.getTime(), token);
      throw new DelayedError();
    }
  }

  /** Signs, sends and records one attempt; what to retry, if anything. */
  private async attempt(data: DeliveryJobData, subscription: CachedSubscription, admission: Admission): Promise<Retry | null> {
    const attemptNumber = data.attemptCount + 1;
    const cycleAttempts = data.cycleAttempts + 1;
    const startedAt = new Date();
    const { body, headers } = outgoingRequest(data, subscription, attemptNumber, startedAt.getTime());
    const outcome = await this.http.post(subscription.url, body, headers);

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

    await this.recorder.record({
      attemptId: newId('att'),
      deliveryId: data.deliveryId,
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
    this.updates.attempted(data, { attempt: attemptNumber, status, startedAt, statusCode: outcome.statusCode, error: outcome.error, durationMs: outcome.durationMs, nextAttemptAt });
    if (verdict === 'gone') {
      this.logger.warn(`subscription ${data.subscriptionId} answered 410 Gone: disabling it`);
      this.subscriptions.forget(data.subscriptionId);
      await this.subscriptionsService.disableUnhealthy(data.subscriptionId, 'gone');
    }
    await this.endpointGate.attempted(admission, {
      job: data,
      attemptNumber,
      verdict,
      status,
      durationMs: outcome.durationMs,
      statusCode: outcome.statusCode,
      error: outcome.error,
    });
    return nextAttemptAt ? { at: nextAttemptAt, attemptNumber, cycleAttempts } : null;
  }
}

interface Retry {
  at: Date;
  attemptNumber: number;
  cycleAttempts: number;
}
