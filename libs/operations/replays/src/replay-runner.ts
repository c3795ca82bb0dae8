import { Injectable, Logger } from '@nestjs/common';
import { DeliveryJobsRepository } from '@hookline/deliveries';
import { DeliveryEnqueuer, REPLAY_PRIORITY } from '@hookline/queue';
import { ReplayFilter } from './replay-filter';
import { ReplayProgress } from './replay.view';
import { ReplaysRepository } from './replays.repository';

/** Deliveries per batch: one keyset page, one UPDATE, one addBulk. */
export const REPLAY_BATCH = 1_000;
/** Past this many jobs waiting in the delivery queues (all shards), a replay pauses instead of piling on (Redis memory). */
const MAX_WAITING_JOBS = 20_000;
/** Deliveries with an attempt in flight are retried this many times, a second apart, then left to their own cycle. */
const MAX_IN_FLIGHT_TRIES = 60;
const MAX_DRAIN_CHECK_MS = 30_000;

export type ReplayStep = { kind: 'done' } | { kind: 'again'; delayMs: number };

/**
 * Runs a replay in steps (the worker's replay processor calls `step` until it says done):
 * count → reset (keyset pages of matching deliveries: take their jobs off the queue, start a new
 * cycle set-based, queue them) → create (recovery only: deliveries missing for the window's
 * events) → in-flight (those skipped because an attempt was running) → drain (wait until every
 * queued delivery reaches a final state). Memory stays at one batch whatever the replay's size.
 */
@Injectable()
export class ReplayRunner {
  private readonly logger = new Logger(ReplayRunner.name);

  constructor(
    private readonly replays: ReplaysRepository,
    private readonly jobs: DeliveryJobsRepository,
    private readonly enqueuer: DeliveryEnqueuer,
  ) {}

  /** Works on the replay for about `budgetMs`, then says whether and when to go on. */
  async step(replayId: string, budgetMs = 10_000): Promise<ReplayStep> {
    const row = await this.replays.find(replayId);
    if (!row || row.status === 'completed' || row.status === 'failed') return { kind: 'done' };
    const filter = row.filter as unknown as ReplayFilter;
    const snapshotAt = row.createdAt;
    let progress = (row.progress as unknown as ReplayProgress | null) ?? { phase: 'reset', after: '' };
    if (row.status === 'queued') await this.replays.setProgress(replayId, progress, { status: 'running' });

    const deadline = Date.now() + budgetMs;
    while (Date.now() < deadline) {
      switch (progress.phase) {
        case 'count': {
          const matched = (await this.replays.count(filter, snapshotAt)) ?? 0;
          progress = { phase: 'reset', after: '' };
          await this.replays.setProgress(replayId, progress, { matched });
          break;
        }
        case 'reset': {
          if (await this.backlogged()) return { kind: 'again', delayMs: 1_000 };
          const ids = await this.replays.page(filter, snapshotAt, progress.after, REPLAY_BATCH);
          if (ids.length === 0) {
            progress = { phase: filter.createMissing ? 'create' : 'in-flight', after: '', inFlight: progress.inFlight };
            await this.replays.setProgress(replayId, progress);
            break;
          }
          const busy = await this.takeJobs(ids);
          const next: ReplayProgress = { phase: 'reset', after: ids[ids.length - 1], inFlight: [...(progress.inFlight ?? []), ...busy] };
          const reset = await this.replays.resetBatch(
            replayId,
            ids.filter((id) => !busy.includes(id)),
            filter,
            next,
          );
          await this.enqueue(reset);
          progress = next;
          break;
        }
        case 'create': {
          if (await this.backlogged()) return { kind: 'again', delayMs: 1_000 };
          const inFlight = progress.inFlight;
          const { lastEventId, created } = await this.replays.createMissingBatch(replayId, filter, snapshotAt, progress.after, REPLAY_BATCH, (after) => ({
            phase: 'create',
            after,
            inFlight,
          }));
          await this.enqueue(created);
          if (lastEventId === null) {
            progress = { phase: 'in-flight', after: '', inFlight };
            await this.replays.setProgress(replayId, progress);
          } else {
            progress = { phase: 'create', after: lastEventId, inFlight };
          }
          break;
        }
        case 'in-flight': {
          const waiting = progress.inFlight ?? [];
          const busy = waiting.length ? await this.takeJobs(waiting) : [];
          const tries = (progress.tries ?? 0) + 1;
          const next: ReplayProgress = busy.length && tries < MAX_IN_FLIGHT_TRIES ? { phase: 'in-flight', after: '', inFlight: busy, tries } : { phase: 'drain', after: '' };
          if (busy.length && next.phase === 'drain') this.logger.warn(`replay ${replayId}: ${busy.length} deliveries stayed in flight; left to their own cycle`);
          const reset = await this.replays.resetBatch(
            replayId,
            waiting.filter((id) => !busy.includes(id)),
            filter,
            next,
          );
          await this.enqueue(reset);
          progress = next;
          if (next.phase === 'in-flight') return { kind: 'again', delayMs: 1_000 };
          break;
        }
        case 'drain': {
          const current = await this.replays.find(replayId);
          if (!current) return { kind: 'done' };
          const completed = Math.min(current.queued, (await this.replays.finishedCount(replayId)) + current.superseded);
          if (completed >= current.queued) {
            await this.replays.setProgress(replayId, progress, { status: 'completed', completed, completedAt: new Date() });
            return { kind: 'done' };
          }
          const tries = (progress.tries ?? 0) + 1;
          await this.replays.setProgress(replayId, { phase: 'drain', after: '', tries }, { completed });
          // Checks slow down for a replay whose deliveries are on long retry delays.
          return { kind: 'again', delayMs: Math.min(MAX_DRAIN_CHECK_MS, 500 * tries) };
        }
      }
    }
    return { kind: 'again', delayMs: 0 };
  }

  async fail(replayId: string): Promise<void> {
    const row = await this.replays.find(replayId);
    if (row && row.status !== 'completed') {
      await this.replays.setProgress(replayId, (row.progress as unknown as ReplayProgress) ?? { phase: 'reset', after: '' }, { status: 'failed', completedAt: new Date() });
    }
  }

  /**
   * Takes the deliveries' jobs off the queue (waiting or delayed: a retry scheduled in the old
   * cycle), so the new cycle's job can be added. Returns the ids whose job a worker holds now: an
   * attempt in flight would record its outcome over the reset.
   */
  private async takeJobs(ids: string[]): Promise<string[]> {
    const queues = this.enqueuer.queues;
    await Promise.all(ids.map((id) => queues.remove(id).catch(() => 0)));
    const held = await queues.withJobs(ids);
    return ids.filter((id) => held.has(id));
  }

  /** Queued behind fresh deliveries (REPLAY_PRIORITY); if Redis is away, the sweeper queues them. */
  private async enqueue(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += REPLAY_BATCH) {
      await this.enqueuer.enqueue(await this.jobs.jobData(ids.slice(i, i + REPLAY_BATCH)), 0, REPLAY_PRIORITY);
    }
  }

  private async backlogged(): Promise<boolean> {
    return (await this.enqueuer.queues.waiting()) > MAX_WAITING_JOBS;
  }
}
