import { Injectable } from '@nestjs/common';
import { PrismaService } from '@hookline/database';
import { ProblemException } from '@hookline/http-problem';
import { Page, toPage } from '@hookline/pagination';
import type { PublishProblem } from './bulk-publish.service';
import { EventView, PublishInput, PublishResult } from './event-views';
import { PublishBatcher } from './publish-batcher';

export interface EventListFilter {
  type?: string;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

/** The problem a single publish answers for a rejection of the batch statement (409, 413, 422). */
export function publishProblem({ status, detail, fields, slug }: PublishProblem): ProblemException {
  return new ProblemException(status, detail, fields, slug);
}

@Injectable()
export class EventsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly batcher: PublishBatcher,
  ) {}

  /**
   * The publish joins the next group commit (PublishBatcher): a batch of one or more through the
   * same statement as bulk ingestion, with its checks (413 for oversized data, 422 against the
   * type's schema), its idempotency (a live key answers from its first result; another request
   * under it is a 409) and its outbox.
   * `onlySubscriptionId` makes it a test send to that subscription alone.
   */
  async publish(tenantId: string, input: PublishInput, onlySubscriptionId?: string): Promise<PublishResult> {
    const outcome = await this.batcher.publish(tenantId, input, onlySubscriptionId);
    switch (outcome.status) {
      case 'published': {
        const event = {
          id: outcome.eventId,
          type: input.type,
          data: input.data,
          idempotencyKey: input.idempotencyKey ?? null,
          createdAt: outcome.createdAt,
          deliveryCount: outcome.deliveryCount,
        };
        return { event, replayed: false };
      }
      case 'replayed':
        return { event: await this.get(tenantId, outcome.eventId), replayed: true };
      case 'rejected':
        throw publishProblem(outcome.problem);
    }
  }

  async get(tenantId: string, eventId: string): Promise<EventView> {
    const row = await this.prisma.event.findFirst({ where: { id: eventId, tenantId } });
    if (!row) throw ProblemException.notFound('Event');
    const counts = await this.deliveryCounts(tenantId, [row.id]);
    return { id: row.id, type: row.type, data: row.data, idempotencyKey: row.idempotencyKey, createdAt: row.createdAt, deliveryCount: counts.get(row.id) ?? 0 };
  }

  async list(tenantId: string, filter: EventListFilter): Promise<Page<EventView>> {
    const rows = await this.prisma.event.findMany({
      where: {
        tenantId,
        ...(filter.type ? { type: filter.type } : {}),
        ...(filter.cursor ? { id: { lt: filter.cursor } } : {}),
        createdAt: { gte: filter.since, lt: filter.until },
      },
      orderBy: { id: 'desc' },
      take: filter.limit + 1,
    });
    const counts = await this.deliveryCounts(
      tenantId,
      rows.map((row) => row.id),
    );
    return toPage(rows, filter.limit, (row) => ({
      id: row.id,
      type: row.type,
      data: row.data,
      idempotencyKey: row.idempotencyKey,
      createdAt: row.createdAt,
      deliveryCount: counts.get(row.id) ?? 0,
    }));
  }

  /** Deliveries per event, counted apart: events and deliveries are partitioned tables with no relation between them. */
  private async deliveryCounts(tenantId: string, eventIds: string[]): Promise<Map<string, number>> {
    if (!eventIds.length) return new Map();
    const groups = await this.prisma.delivery.groupBy({ by: ['eventId'], where: { tenantId, eventId: { in: eventIds } }, _count: { _all: true } });
    return new Map(groups.map((group) => [group.eventId, group._count._all]));
  }
}
