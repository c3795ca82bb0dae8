import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Prisma, PrismaService } from '@hookline/database';
import { ProblemException } from '@hookline/http-problem';
import { newId } from '@hookline/ids';
import { Page, toPage } from '@hookline/pagination';
import { REPLAYS_QUEUE, ReplayJobData, replayJob } from '@hookline/queue';
import { withTimeout } from '@hookline/timeout';
import { DEFAULT_REPLAY_STATUSES, ReplayableStatus, ReplayFilter } from './replay-filter';
import { ReplayProgress, ReplayView, replayView } from './replay.view';
import { ReplaysRepository } from './replays.repository';

/** Counting in the request is a courtesy: past this the worker counts, and `matched` fills in later. */
const COUNT_IN_REQUEST_MS = 2_000;
const ENQUEUE_TIMEOUT_MS = 2_000;

export interface ReplayCreateInput {
  tenantId?: string;
  subscriptionId?: string;
  eventType?: string;
  status?: ReplayableStatus[];
  since?: Date;
  until?: Date;
}

export interface RecoverInput {
  since: Date;
  until?: Date;
}

/**
 * Operator replays (docs/contract.md#the-rest-api): a row, a background job on the `replays` queue, progress read back.
 * Used by the API and by the operator CLI alike.
 */
@Injectable()
export class ReplaysService {
  private readonly logger = new Logger(ReplaysService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly replays: ReplaysRepository,
    @InjectQueue(REPLAYS_QUEUE) private readonly queue: Queue<ReplayJobData>,
  ) {}

  async create(input: ReplayCreateInput): Promise<ReplayView> {
    if (input.since && input.until && input.since >= input.until) throw ProblemException.invalid('until', 'must be after since');
    if (input.tenantId && (await this.prisma.tenant.count({ where: { id: input.tenantId } })) === 0) {
      throw ProblemException.invalid('tenantId', 'no such tenant');
    }
    if (input.subscriptionId) {
      const owner = await this.prisma.subscription.findFirst({ where: { id: input.subscriptionId, deletedAt: null }, select: { tenantId: true } });
      if (!owner || (input.tenantId && owner.tenantId !== input.tenantId)) throw ProblemException.invalid('subscriptionId', 'no such subscription');
    }
    const filter: ReplayFilter = {
      ...(input.tenantId ? { tenantId: input.tenantId } : {}),
      ...(input.subscriptionId ? { subscriptionId: input.subscriptionId } : {}),
      ...(input.eventType ? { eventType: input.eventType } : {}),
      status: [...new Set(input.status?.length ? input.status : DEFAULT_REPLAY_STATUSES)],
      ...(input.since ? { since: input.since.toISOString() } : {}),
      ...(input.until ? { until: input.until.toISOString() } : {}),
    };
    return this.start(filter);
  }

  /**
   * docs/contract.md#the-rest-api `…/subscriptions/{id}/recover`: every failed, dead or cancelled delivery of the
   * subscription in the window (cancelled too: disabling it cancelled what was pending), plus a
   * new delivery for each matching event of the window that has none for it.
   */
  async recover(tenantId: string, subscriptionId: string, input: RecoverInput): Promise<ReplayView> {
    const until = input.until ?? new Date();
    if (input.since >= until) throw ProblemException.invalid(input.until ? 'until' : 'since', input.until ? 'must be after since' : 'must be in the past');
    const subscription = await this.prisma.subscription.findFirst({ where: { id: subscriptionId, tenantId, deletedAt: null }, select: { status: true } });
    if (!subscription) throw ProblemException.notFound('Subscription');
    if (subscription.status !== 'active') {
      throw new ProblemException(409, 'The subscription is disabled: enable it first, then recover', undefined, 'subscription-inactive');
    }
    return this.start({
      tenantId,
      subscriptionId,
      status: ['failed', 'dead', 'cancelled'],
      since: input.since.toISOString(),
      until: until.toISOString(),
      createMissing: true,
    });
  }

  /** With live progress: `completed` is counted now while the replay runs. With `tenantId`, only that tenant's. */
  async get(replayId: string, tenantId?: string): Promise<ReplayView> {
    const row = await this.replays.find(replayId);
    if (!row || (tenantId !== undefined && row.tenantId !== tenantId)) throw ProblemException.notFound('Replay');
    return replayView(row, row.status === 'running' ? await this.replays.finishedCount(row.id) : undefined);
  }

  /** Newest first; with `tenantId`, only the replays and recoveries of that tenant. */
  async list(limit: number, cursor?: string, tenantId?: string): Promise<Page<ReplayView>> {
    const rows = await this.prisma.replay.findMany({
      where: { ...(tenantId !== undefined ? { tenantId } : {}), ...(cursor ? { id: { lt: cursor } } : {}) },
      orderBy: { id: 'desc' },
      take: limit + 1,
    });
    return toPage(rows, limit, (row) => replayView(row));
  }

  private async start(filter: ReplayFilter): Promise<ReplayView> {
    const id = newId('rpl');
    const snapshotAt = new Date();
    const matched = await this.replays.count(filter, snapshotAt, COUNT_IN_REQUEST_MS);
    const progress: ReplayProgress = { phase: matched === null ? 'count' : 'reset', after: '' };
    const row = await this.prisma.replay.create({
      data: {
        id,
        tenantId: filter.tenantId ?? null,
        filter: filter as unknown as Prisma.InputJsonValue,
        matched: matched ?? 0,
        progress: progress as unknown as Prisma.InputJsonValue,
        createdAt: snapshotAt,
      },
    });
    // Outbox again: if Redis is away now, the worker's replay sweeper queues it later.
    const { name, data, opts } = replayJob(id);
    await withTimeout(this.queue.add(name, data, opts), ENQUEUE_TIMEOUT_MS).catch((error: Error) => this.logger.warn(`replay ${id} left for the replay sweeper: ${error.message}`));
    return replayView(row);
  }
}
