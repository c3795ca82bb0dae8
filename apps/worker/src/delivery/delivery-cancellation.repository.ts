import { Injectable } from '@nestjs/common';
import { PrismaService } from '@hookline/database';

/** Delivery state changes the worker makes on its own. */
@Injectable()
export class DeliveryCancellationRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * A delivery whose subscription can no longer receive it: disabled or deleted in Postgres (the
   * worker's cached copy may be behind an enable), or left without a live signing secret. One
   * claimed by another job is left to that job: its attempt is in flight, and recording it cancels
   * the delivery unless it succeeded. True when the delivery was cancelled.
   */
  async cancelDelivery(deliveryId: string, { evenIfActive = false } = {}): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      UPDATE deliveries d SET status = 'cancelled', next_attempt_at = NULL, updated_at = now()
      FROM subscriptions s
      WHERE d.id = ${deliveryId} AND s.id = d.subscription_id
        AND (${evenIfActive}::boolean OR s.status <> 'active' OR s.deleted_at IS NOT NULL)
        AND d.status IN ('pending', 'failed') AND (d.in_flight_until IS NULL OR d.in_flight_until <= now())`;
    return count > 0;
  }
}
