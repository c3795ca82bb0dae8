import { Injectable } from '@nestjs/common';
import { PrismaService } from '@hookline/database';
import { Page, toPage } from '@hookline/pagination';
import { deliveryIdRange, DeliveryView, deliveryView } from '@hookline/deliveries';

export interface DeadLetterFilter {
  tenantId?: string;
  subscriptionId?: string;
  /** An event type name or a `prefix.*` wildcard. */
  type?: string;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

export type DeadLetterView = DeliveryView & { tenantId: string };

/** docs/contract.md#the-rest-api `GET /v1/dead-letters`: dead deliveries of every tenant, newest first. */
@Injectable()
export class DeadLettersService {
  constructor(private readonly prisma: PrismaService) {}

  async list(filter: DeadLetterFilter): Promise<Page<DeadLetterView>> {
    const type = filter.type?.endsWith('.*') ? { startsWith: filter.type.slice(0, -1) } : filter.type === '*' ? undefined : filter.type;
    const rows = await this.prisma.delivery.findMany({
      where: {
        status: 'dead',
        tenantId: filter.tenantId,
        subscriptionId: filter.subscriptionId,
        eventType: type,
        createdAt: { gte: filter.since, lt: filter.until },
        id: deliveryIdRange(filter.since, filter.until, filter.cursor),
      },
      orderBy: { id: 'desc' },
      take: filter.limit + 1,
    });
    return toPage(rows, filter.limit, (row) => ({ ...deliveryView(row), tenantId: row.tenantId }));
  }
}
