import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { PrismaService } from '@hookline/database';
import { EventTypesService } from '@hookline/event-types';
import { ProblemException } from '@hookline/http-problem';
import { newId } from '@hookline/ids';
import { Page, toPage } from '@hookline/pagination';
import { DeliveryEnqueuer, DeliveryJobData } from '@hookline/queue';
import { inSpan } from '@hookline/tracing';
import { EventView, PublishInput, PublishResult } from './event-views';
import { PUBLISH_SQL } from './publish.sql';
import { PublishBatcher } from './publish-batcher';
import { publishRequestHash } from './request-hash';

interface PublishedRow {
  id: string;
  createdAt: Date;
  deliveries: [deliveryId: string, subscriptionId: string][];
}

export interface EventListFilter {
  type?: string;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

@Injectable()
export class EventsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly eventTypes: EventTypesService,
    private readonly enqueuer: DeliveryEnqueuer,
    private readonly batcher: PublishBatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * 413 before anything else; then, but for a test send to one subscription, the publish joins the
   * next group commit (PublishBatcher). What the batch rejects is published once more on its own,
   * which writes nothing either but answers with the exact problem (422 fields, 409).
   */
  async publish(tenantId: string, input: PublishInput, onlySubscriptionId?: string): Promise<PublishResult> {
    const dataJson = JSON.stringify(input.data);
    if (Buffer.byteLength(dataJson) > this.config.MAX_PAYLOAD_BYTES) {
      throw new ProblemException(413, `data is larger than ${this.config.MAX_PAYLOAD_BYTES} bytes`, [{ field: 'data', message: 'too large' }], 'payload-too-large');
    }
    if (onlySubscriptionId) return this.publishAlone(tenantId, input, dataJson, onlySubscriptionId);
    const outcome = await this.batcher.publish(tenantId, input);
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
        return this.publishAlone(tenantId, input, dataJson);
    }
  }

  /**
   * Answers a retry of a keyed publish from its first result, else validates, then writes the
   * event and all its deliveries in one statement, and only then enqueues them (outbox: if Redis
   * is unavailable the sweeper enqueues them later).
   */
  private async publishAlone(tenantId: string, input: PublishInput, dataJson: string, onlySubscriptionId?: string): Promise<PublishResult> {
    const key = input.idempotencyKey ?? null;
    const hash = key ? publishRequestHash(input.type, input.data) : null;
    // A retry is answered from its key before the schema check: the type's schema may have been
    // tightened since, and a 422 would tell the producer that an accepted event had failed.
    const liveClaim = key ? await this.liveClaim(tenantId, key) : null;
    if (liveClaim) return this.replayIdempotent(tenantId, key!, hash!, liveClaim);

    const errors = await this.eventTypes.validateData(input.type, input.data);
    if (errors.length) throw new ProblemException(422, `data does not match the schema of ${input.type}`, errors, 'validation-error');

    const trace = input.trace ?? null;
    const rows = await inSpan('hookline.publish.write', { attributes: { 'hookline.tenant_id': tenantId } }, () =>
      this.prisma.$queryRawUnsafe<PublishedRow[]>(PUBLISH_SQL, newId('evt'), tenantId, input.type, dataJson, key, hash, onlySubscriptionId ?? null, trace?.traceparent ?? null),
    );
    if (rows.length === 0) {
      // Claimed by a concurrent publish of the same key between liveClaim and PUBLISH_SQL.
      const claim = await this.prisma.idempotencyKey.findUnique({ where: { tenantId_key: { tenantId, key: key! } } });
      if (!claim) throw new Error(`idempotency key ${key} vanished during publish`);
      return this.replayIdempotent(tenantId, key!, hash!, claim);
    }

    const [row] = rows;
    const jobs = row.deliveries.map(([deliveryId, subscriptionId]): DeliveryJobData => ({
      deliveryId,
      tenantId,
      subscriptionId,
      eventId: row.id,
      eventType: input.type,
      timestamp: row.createdAt.toISOString(),
      dataJson,
      attemptCount: 0,
      cycleAttempts: 0,
      ...trace,
    }));
    await inSpan('hookline.publish.enqueue', { attributes: { 'hookline.event_id': row.id, 'hookline.deliveries': jobs.length } }, () => this.enqueuer.enqueue(jobs));
    const event = { id: row.id, type: input.type, data: input.data, idempotencyKey: key, createdAt: row.createdAt, deliveryCount: row.deliveries.length };
    return { event, replayed: false };
  }

  /** The claim on `key` if it is younger than 24 h (the same window PUBLISH_SQL applies). */
  private async liveClaim(tenantId: string, key: string): Promise<{ eventId: string; requestHash: string } | null> {
    const [claim] = await this.prisma.$queryRaw<{ eventId: string; requestHash: string }[]>`
      SELECT event_id AS "eventId", request_hash AS "requestHash" FROM idempotency_keys
      WHERE tenant_id = ${tenantId} AND key = ${key} AND created_at >= now() - interval '24 hours'`;
    return claim ?? null;
  }

  private async replayIdempotent(tenantId: string, key: string, hash: string, claim: { eventId: string; requestHash: string }): Promise<PublishResult> {
    if (claim.requestHash !== hash) {
      throw new ProblemException(
        409,
        `Idempotency key "${key}" was already used with a different type or data`,
        [{ field: 'idempotencyKey', message: 'already used with a different request' }],
        'idempotency-conflict',
      );
    }
    return { event: await this.get(tenantId, claim.eventId), replayed: true };
  }

  async get(tenantId: string, eventId: string): Promise<EventView> {
    const row = await this.prisma.event.findFirst({
      where: { id: eventId, tenantId },
      include: { _count: { select: { deliveries: true } } },
    });
    if (!row) throw ProblemException.notFound('Event');
    return { id: row.id, type: row.type, data: row.data, idempotencyKey: row.idempotencyKey, createdAt: row.createdAt, deliveryCount: row._count.deliveries };
  }

  async list(tenantId: string, filter: EventListFilter): Promise<Page<EventView>> {
    const rows = await this.prisma.event.findMany({
      where: {
        tenantId,
        ...(filter.type ? { type: filter.type } : {}),
        ...(filter.cursor ? { id: { lt: filter.cursor } } : {}),
        createdAt: { gte: filter.since, lt: filter.until },
      },
      include: { _count: { select: { deliveries: true } } },
      orderBy: { id: 'desc' },
      take: filter.limit + 1,
    });
    return toPage(rows, filter.limit, (row) => ({
      id: row.id,
      type: row.type,
      data: row.data,
      idempotencyKey: row.idempotencyKey,
      createdAt: row.createdAt,
      deliveryCount: row._count.deliveries,
    }));
  }
}
