import { Injectable } from '@nestjs/common';
import { DisabledReason, PrismaService } from '@hookline/database';

/** Why and when a subscription was disabled, for the operator event that reports it. */
@Injectable()
export class DisabledSubscriptionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  disabledState(id: string): Promise<{ url: string; disabledReason: DisabledReason | null; disabledAt: Date | null } | null> {
    return this.prisma.subscription.findUnique({ where: { id }, select: { url: true, disabledReason: true, disabledAt: true } });
  }
}
