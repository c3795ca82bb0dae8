import { Injectable } from '@nestjs/common';
import { DeferralReason, DeliveryJobData } from '@hookline/queue';
import { DeferralRecorder } from './deferral-recorder';
import { DeliveryMetrics } from './delivery-metrics';
import { DisabledSubscriptionsRepository } from './disabled-subscriptions.repository';
import { OperatorEvents } from './operator-events';

/** An attempt as recorded, for metrics and operator events. */
export interface ReportedAttempt {
  job: DeliveryJobData;
  attemptNumber: number;
  status: 'succeeded' | 'failed' | 'dead';
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

/**
 * What endpoint health tells the outside: metrics, deferral due times, and operator events for
 * dead deliveries and disabled subscriptions. Decides nothing.
 */
@Injectable()
export class HealthReports {
  constructor(
    private readonly metrics: DeliveryMetrics,
    private readonly deferrals: DeferralRecorder,
    private readonly operatorEvents: OperatorEvents,
    private readonly disabled: DisabledSubscriptionsRepository,
  ) {}

  async attempted(attempt: ReportedAttempt): Promise<void> {
    const { job } = attempt;
    this.metrics.attempt(attempt.status, attempt.durationMs);
    if (attempt.status !== 'dead') return;
    await this.operatorEvents.emit('delivery.dead', `${job.deliveryId}:${attempt.attemptNumber}`, {
      tenantId: job.tenantId,
      subscriptionId: job.subscriptionId,
      deliveryId: job.deliveryId,
      eventId: job.eventId,
      eventType: job.eventType,
      attempts: attempt.attemptNumber,
      lastStatusCode: attempt.statusCode,
      lastError: attempt.error,
    });
  }

  deferred(deliveryId: string, until: Date, reason: DeferralReason): void {
    this.deferrals.deferred(deliveryId, until);
    this.metrics.deferred(reason);
  }

  /** Reports the subscription disabled, when it still is for this reason (its disabledAt dedupes the event). */
  async disabledSubscription(job: DeliveryJobData, reason: 'gone' | 'failing', extra: Record<string, unknown> = {}): Promise<void> {
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
}
