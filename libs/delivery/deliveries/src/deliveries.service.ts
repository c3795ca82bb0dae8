import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { PrismaService } from '@hookline/database';
import { ProblemException } from '@hookline/http-problem';
import { Page, toPage } from '@hookline/pagination';
import { DeliveryEnqueuer } from '@hookline/queue';
import { withTimeout } from '@hookline/timeout';
import { deliveryIdRange } from './created-window';
import { DeliveryJobsRepository } from './delivery-jobs.repository';
import { AttemptView, DeliveryListFilter, DeliveryView, deliveryView } from './delivery-views';

/** How long past DELIVERY_TIMEOUT_MS a replay waits for an attempt in flight (the worker's lock margin). */
const IN_FLIGHT_GRACE_MS = 5_000;
const IN_FLIGHT_POLL_MS = 50;
/** A Redis that does not answer must not hold a replay request open; the sweeper covers for it. */
const REDIS_CALL_TIMEOUT_MS = 2_000;

@Injectable()
export class DeliveriesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: DeliveryJobsRepository,
    private readonly enqueuer: DeliveryEnqueuer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(tenantId: string, filter: DeliveryListFilter): Promise<Page<DeliveryView>> {
    const rows = await this.prisma.delivery.findMany({
      where: {
        tenantId,
        status: filter.status,
        subscriptionId: filter.subscriptionId,
        eventId: filter.eventId,
        eventType: filter.eventType,
        createdAt: { gte: filter.since, lt: filter.until },
        id: deliveryIdRange(filter.since, filter.until, filter.cursor),
      },
      orderBy: { id: 'desc' },
      take: filter.limit + 1,
    });
    return toPage(rows, filter.limit, deliveryView);
  }

  /** Deliveries of one event, for `GET /events/{id}`. */
  async forEvent(tenantId: string, eventId: string): Promise<DeliveryView[]> {
    const rows = await this.prisma.delivery.findMany({ where: { tenantId, eventId }, orderBy: { id: 'asc' } });
    return rows.map(deliveryView);
  }

  async get(tenantId: string, deliveryId: string): Promise<DeliveryView & { attempts: AttemptView[] }> {
    const row = await this.prisma.delivery.findFirst({ where: { id: deliveryId, tenantId } });
    if (!row) throw ProblemException.notFound('Delivery');
    // Read by the delivery found above (no relation: attempts and deliveries are partitioned apart).
    const rows = await this.prisma.attempt.findMany({ where: { deliveryId: row.id }, orderBy: { number: 'asc' } });
    const attempts = rows.map((a) => ({
      id: a.id,
      number: a.number,
      startedAt: a.startedAt,
      durationMs: a.durationMs,
      statusCode: a.statusCode,
      error: a.error,
      responseBody: a.responseBody,
      responseHeaders: (a.responseHeaders as Record<string, string> | null) ?? null,
      requestHeaders: (a.requestHeaders as Record<string, string> | null) ?? null,
    }));
    return { ...deliveryView(row), attempts };
  }

  /**
   * One more delivery cycle with a fresh attempt budget; the event id, and so `webhook-id`, stay
   * the same. Works from any status: naming a delivery by id is an explicit request to re-send it.
   */
  async replay(tenantId: string, deliveryId: string): Promise<DeliveryView> {
    const owned = await this.prisma.delivery.findFirst({
      where: { id: deliveryId, tenantId, subscription: { deletedAt: null } },
      select: { subscription: { select: { status: true } } },
    });
    if (!owned) throw ProblemException.notFound('Delivery');
    if (owned.subscription.status !== 'active') {
      throw new ProblemException(409, "The delivery's subscription is disabled; enable it before replaying", undefined, 'subscription-disabled');
    }
    // Before the reset: an attempt in flight would record its outcome over it (e.g. `dead` after
    // its last attempt), and its job, which keeps the delivery id, would make the enqueue a no-op.
    await this.removeJobOnceIdle(deliveryId);
    const { count } = await this.prisma.delivery.updateMany({
      where: { id: deliveryId, tenantId, subscription: { deletedAt: null } },
      data: { status: 'pending', cycleAttempts: 0, internalFailures: 0, nextAttemptAt: new Date(), updatedAt: new Date() },
    });
    if (count === 0) throw ProblemException.notFound('Delivery');
    await this.enqueuer.enqueue(await this.jobs.jobData([deliveryId]));
    return this.get(tenantId, deliveryId);
  }

  /**
   * Removes the delivery's waiting or delayed job; while a worker holds it (BullMQ refuses to
   * remove a locked job), waits for that attempt to end, at most one request timeout plus margin.
   */
  private async removeJobOnceIdle(deliveryId: string): Promise<void> {
    const deadline = Date.now() + this.config.DELIVERY_TIMEOUT_MS + IN_FLIGHT_GRACE_MS;
    for (;;) {
      const removed = await withTimeout(this.enqueuer.queues.remove(deliveryId), REDIS_CALL_TIMEOUT_MS).catch(() => null);
      if (removed !== 0 || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_POLL_MS));
    }
  }
}
