import { Injectable, Logger } from '@nestjs/common';
import { SubscriptionsService } from '@hookline/subscriptions';
import type { FailureStreak } from './circuit-breaker';

/** docs/contract.md#delivery-semantics: disabled (`failing`) after this long of nothing but failures… */
export const AUTO_DISABLE_AFTER_MS = 5 * 24 * 3600_000;
/** …and at least this many failed attempts in a row. */
export const AUTO_DISABLE_MIN_FAILURES = 10;

/** Disables (`failing`) a subscription whose endpoint has done nothing but fail for long enough. */
@Injectable()
export class AutoDisable {
  private readonly logger = new Logger(AutoDisable.name);

  constructor(private readonly subscriptions: SubscriptionsService) {}

  /** True when this streak disabled the subscription (now, not before). */
  async afterFailure(subscriptionId: string, streak: FailureStreak): Promise<boolean> {
    const { consecutiveFailures: failures, firstFailureAt, recordedAt } = streak;
    if (failures < AUTO_DISABLE_MIN_FAILURES || recordedAt - firstFailureAt < AUTO_DISABLE_AFTER_MS) return false;
    if (!(await this.subscriptions.disableUnhealthy(subscriptionId, 'failing'))) return false;
    this.logger.warn(
      { subscription_id: subscriptionId },
      `subscription ${subscriptionId} disabled (failing): ${failures} failed attempts in a row since ${new Date(firstFailureAt).toISOString()}`,
    );
    return true;
  }
}
