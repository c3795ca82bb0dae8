import { Injectable } from '@nestjs/common';
import { PrismaService } from '@hookline/database';

/** Delivery state changes the worker makes on its own. */
@Injectable()
export class DeliveryCancellationRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A delivery whose subscription can no longer receive it. */
  async cancelDelivery(deliveryId: string): Promise<void> {
    await this.prisma.delivery.updateMany({
      where: { id: deliveryId, status: { in: ['pending', 'failed'] } },
      data: { status: 'cancelled', nextAttemptAt: null, updatedAt: new Date() },
    });
  }
}
