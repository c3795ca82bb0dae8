import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, Replay } from '@hookline/database';
import { matchingDeliveries, missingDeliveries, ReplayFilter } from './replay-filter';
import { ReplayProgress } from './replay.view';

const FINAL_STATUSES = `'succeeded', 'dead', 'cancelled'`;

/**
 * Resets `$1` (ids) still in one of `$2` (statuses) for replay `$3`: see resetBatch. The update names
 * its ids again although the join implies them: on constants the planner keeps to the partitions
 * that hold the batch (docs/decisions/partitioned-storage.md).
 */
export const RESET_BATCH_SQL = `
WITH target AS (
  SELECT d.id, d.replay_id AS previous
  FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
  WHERE d.id = ANY($1::text[]) AND d.status = ANY($2::"DeliveryStatus"[])
    AND s.status = 'active' AND s.deleted_at IS NULL
  ORDER BY d.id
  FOR UPDATE OF d
), reset AS (
  UPDATE deliveries d
  SET status = 'pending', cycle_attempts = 0, internal_failures = 0, next_attempt_at = now(), updated_at = now(), replay_id = $3
  FROM target t WHERE d.id = t.id AND d.id = ANY($1::text[])
  RETURNING d.id, t.previous
), credited AS (
  UPDATE replays r SET superseded = r.superseded + x.n
  FROM (SELECT previous, count(*)::int AS n FROM reset WHERE previous IS NOT NULL AND previous <> $3 GROUP BY previous) x
  WHERE r.id = x.previous
)
SELECT id FROM reset`;

/** The SQL of bulk replays: set-based, one batch per statement, never all ids in memory. */
@Injectable()
export class ReplaysRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(id: string): Promise<Replay | null> {
    return this.prisma.replay.findUnique({ where: { id } });
  }

  /**
   * How many deliveries (and missing deliveries, for a recovery) the filter selects. With
   * `timeoutMs`, null when counting takes longer (the worker counts instead, in the background).
   */
  async count(filter: ReplayFilter, snapshotAt: Date, timeoutMs?: number): Promise<number | null> {
    const run = async (db: Prisma.TransactionClient) => {
      const existing = matchingDeliveries(filter, snapshotAt);
      const [{ n }] = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n ${existing.sql}`, ...existing.params);
      if (!filter.createMissing) return n;
      const missing = missingDeliveries(filter, snapshotAt);
      const [{ m }] = await db.$queryRawUnsafe<{ m: number }[]>(`SELECT count(*)::int AS m ${missing.sql}`, ...missing.params);
      return n + m;
    };
    if (timeoutMs === undefined) return this.prisma.$transaction(run);
    try {
      return await this.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
        return run(tx);
      });
    } catch (error) {
      if (/statement timeout|canceling statement/i.test((error as Error).message)) return null;
      throw error;
    }
  }

  /** The next page of matching delivery ids after `after`, by id. */
  async page(filter: ReplayFilter, snapshotAt: Date, after: string, limit: number): Promise<string[]> {
    const match = matchingDeliveries(filter, snapshotAt, 3);
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(`SELECT d.id ${match.sql} AND d.id > $1 ORDER BY d.id LIMIT $2`, after, limit, ...match.params);
    return rows.map((r) => r.id);
  }

  /**
   * Starts a new cycle for `ids` still in one of the filter's statuses (re-checked under a row
   * lock, so a delivery that succeeded meanwhile is left alone) and claims them for this replay,
   * crediting any replay they are taken from; the replay's counters and position move in the
   * same transaction, so a resumed replay neither skips nor double counts. Returns the reset ids.
   */
  async resetBatch(replayId: string, ids: string[], filter: ReplayFilter, progress: ReplayProgress): Promise<string[]> {
    return this.prisma.$transaction(async (tx) => {
      const reset = ids.length ? await tx.$queryRawUnsafe<{ id: string }[]>(RESET_BATCH_SQL, ids, filter.status, replayId) : [];
      await tx.replay.update({
        where: { id: replayId },
        data: { queued: { increment: reset.length }, progress: progress as unknown as Prisma.InputJsonValue },
      });
      return reset.map((r) => r.id);
    });
  }

  /**
   * Recovery: creates the deliveries missing for the next `limit` events of the window (after
   * `after`, by event id), claimed by this replay and due now. Recoveries of one subscription are
   * serialised by an advisory lock, so two of them cannot create the same delivery twice. Their ids
   * carry the event's time, as publishing would have made them: a delivery's id and created_at
   * agree, which lets the log read a time window as a range of ids.
   */
  async createMissingBatch(
    replayId: string,
    filter: ReplayFilter,
    snapshotAt: Date,
    after: string,
    limit: number,
    progressAfter: (lastEventId: string) => ReplayProgress,
  ): Promise<{ lastEventId: string | null; created: string[] }> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, filter.subscriptionId!);
      const missing = missingDeliveries(filter, snapshotAt, 4);
      const [row] = await tx.$queryRawUnsafe<{ last: string | null; ids: string[] | null }[]>(
        `WITH page AS (
           SELECT e.id AS event_id, e.type AS event_type, e.tenant_id, e.created_at, s.id AS subscription_id
           ${missing.sql} AND e.id > $1 ORDER BY e.id LIMIT $2
         ), created AS (
           INSERT INTO deliveries (id, tenant_id, event_id, event_type, subscription_id, status, next_attempt_at, created_at, updated_at, replay_id)
           SELECT 'dlv_' || hookline_ulid_at(p.created_at), p.tenant_id, p.event_id, p.event_type, p.subscription_id, 'pending', now(), p.created_at, now(), $3
           FROM page p
           RETURNING id
         )
         SELECT (SELECT max(event_id) FROM page) AS last, ARRAY(SELECT id FROM created) AS ids`,
        after,
        limit,
        replayId,
        ...missing.params,
      );
      const created = row?.ids ?? [];
      const progress = progressAfter(row?.last ?? after);
      await tx.replay.update({
        where: { id: replayId },
        data: { queued: { increment: created.length }, progress: progress as unknown as Prisma.InputJsonValue },
      });
      return { lastEventId: row?.last ?? null, created };
    });
  }

  async setProgress(replayId: string, progress: ReplayProgress, data: Prisma.ReplayUpdateInput = {}): Promise<void> {
    await this.prisma.replay.update({ where: { id: replayId }, data: { ...data, progress: progress as unknown as Prisma.InputJsonValue } });
  }

  /** Deliveries claimed by the replay that are in a final state now. */
  async finishedCount(replayId: string): Promise<number> {
    const [{ n }] = await this.prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM deliveries WHERE replay_id = $1 AND status IN (${FINAL_STATUSES})`,
      replayId,
    );
    return n;
  }

  /** Replays that should have a job in the queue (for the worker's replay sweeper). */
  async unfinished(limit: number): Promise<string[]> {
    const rows = await this.prisma.replay.findMany({ where: { status: { in: ['queued', 'running'] } }, select: { id: true }, orderBy: { id: 'asc' }, take: limit });
    return rows.map((r) => r.id);
  }
}
