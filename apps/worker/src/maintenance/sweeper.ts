import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { DeliveryJobsRepository } from '@hookline/deliveries';
import { DeliveryEnqueuer } from '@hookline/queue';
import { IntervalTask } from './interval-task';

/**
 * The share of the interval one run may take, at least one page: behind a backlog of due deliveries
 * that do have jobs (workers busy, nothing lost), every page read is spent for nothing, so a run is
 * bounded in time as well as in pages, whatever a page costs on a busy or bloated database.
 */
const RUN_BUDGET_SHARE = 0.1;
const MIN_RUN_BUDGET_MS = 50;

/** How much of the overdue index one run reads. */
export interface SweepWindow {
  pageSize: number;
  pagesPerRun: number;
}

/**
 * The outbox's other half: finds deliveries that are due in Postgres but have no job in Redis
 * (Redis restarted or flushed, a crash between commit and enqueue, a job dropped after stalling
 * too often) and queues them again. Job id = delivery id, so a race with another sweeper or with
 * the API adds nothing twice.
 *
 * Each run reads a bounded window of the overdue ids (pages, and a share of the interval) and the
 * next run goes on from where it stopped, starting over from the lowest id at the end: a backlog of
 * overdue deliveries that do have jobs (workers behind) cannot hide a lost one further up, which is
 * reached within a few runs, and costs the worker a bounded share of its time.
 */
@Injectable()
export class Sweeper extends IntervalTask {
  protected readonly logger = new Logger(Sweeper.name);
  protected readonly intervalMs: number;
  /** Tests shrink it to prove the window moves on. */
  window: SweepWindow = { pageSize: 1_000, pagesPerRun: 20 };
  /** The last id read by the previous run; '' for the start of the index. */
  private cursor = '';

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly deliveries: DeliveryJobsRepository,
    private readonly enqueuer: DeliveryEnqueuer,
  ) {
    super();
    this.intervalMs = config.SWEEP_INTERVAL_MS;
  }

  protected async runOnce(): Promise<void> {
    const { pageSize, pagesPerRun } = this.window;
    const stopAt = Date.now() + Math.max(MIN_RUN_BUDGET_MS, this.intervalMs * RUN_BUDGET_SHARE);
    let startedAtBeginning = this.cursor === '';
    let requeued = 0;
    for (let page = 0; page < pagesPerRun && (page === 0 || Date.now() < stopAt); page++) {
      const { overdue: ids, scanned, lastId } = await this.deliveries.overduePage(this.intervalMs, pageSize, this.cursor);
      if (lastId) this.cursor = lastId;
      if (ids.length) {
        const missing = await this.missingFromRedis(ids);
        // Re-read after looking at Redis: a job that finished in between has committed its new
        // status before leaving Redis, so it no longer shows as overdue here.
        const lost = missing.length ? await this.deliveries.stillOverdue(missing, this.intervalMs) : [];
        if (lost.length && (await this.enqueuer.enqueue(await this.deliveries.jobData(lost)))) requeued += lost.length;
      }
      if (scanned < pageSize) {
        // The end of the index: the next page starts over, unless this run already read it all.
        this.cursor = '';
        if (startedAtBeginning) break;
        startedAtBeginning = true;
      }
    }
    if (requeued) this.logger.warn(`re-enqueued ${requeued} due deliveries that were missing from Redis`);
  }

  /** Looked for in every shard's queue; re-enqueued into its subscription's shard (DeliveryEnqueuer). */
  private async missingFromRedis(ids: string[]): Promise<string[]> {
    const queued = await this.enqueuer.queues.withJobs(ids);
    return ids.filter((id) => !queued.has(id));
  }
}
