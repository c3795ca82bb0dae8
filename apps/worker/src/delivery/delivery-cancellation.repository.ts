import { Injectable } from '@nestjs/common';
import { PrismaService } from '@hookline/database';

/** Delivery state changes the worker makes on its own. */
@Injectable()
export class DeliveryCancellationRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * A delivery whose subscription can no longer receive it. One claimed by another job is left to
   * that job: its attempt is in flight, and recording it cancels the delivery unless it succeeded.
   */
  async cancelDelivery(deliveryId: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, updated_at = now()
      WHERE id = ${deliveryId} AND status IN ('pending', 'failed') AND (in_flight_until IS NULL OR in_flight_until <= now())`;
  }
}
