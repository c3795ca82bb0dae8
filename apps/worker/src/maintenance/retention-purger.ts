import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { IntervalTask } from './interval-task';
import { DAY_MS } from './partition-ranges';
import { PURGE_STEPS, RetentionRepository } from './retention.repository';

const BATCH = 1_000;
const MAX_BATCHES_PER_STEP = 500;
/** Soon after start (a worker restarted more often than the interval still purges), spread so a fleet restarted at once does not start together. */
const FIRST_RUN_MIN_MS = 1_000;
const FIRST_RUN_SPREAD_MS = 5_000;
/** A run that hit MAX_BATCHES_PER_STEP left a backlog: the next run follows after this pause. */
const BACKLOG_PAUSE_MS = 1_000;

/**
 * Retention. Events, deliveries and attempts go a whole partition at a time (a UTC day, or a finer
 * PARTITION_SPAN): each is detached and dropped once every id it can hold is older than
 * RETENTION_DAYS, whatever the number of rows. Then, in batches of 1,000 rows, one statement each: idempotency keys past their 24 h,
 * bulk jobs and replays finished more than RETENTION_DAYS ago (with their row errors, staged chunks
 * and delivery links), and signing secrets whose rotation grace ended. No long lock is held, and
 * shutdown can stop the purge between two partitions or two batches. One worker purges at a time
 * (a Postgres advisory lock); the others skip their turn.
 */
@Injectable()
export class RetentionPurger extends IntervalTask {
  protected readonly logger = new Logger(RetentionPurger.name);
  protected readonly intervalMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly retention: RetentionRepository,
  ) {
    super();
    this.intervalMs = config.RETENTION_INTERVAL_MS;
  }

  protected override firstRunAfterMs(): number {
    return FIRST_RUN_MIN_MS + Math.floor(Math.random() * FIRST_RUN_SPREAD_MS);
  }

  protected async runOnce(): Promise<void> {
    const session = await this.retention.begin();
    if (!session) return;
    let backlog = false;
    try {
      const dropStarted = performance.now();
      const dropped = await session.dropPartitionsBefore(Date.now() - this.config.RETENTION_DAYS * DAY_MS, () => this.stopRequested);
      if (dropped.length) this.logger.log(`retention: dropped partitions ${dropped.join(', ')} in ${Math.round(performance.now() - dropStarted)} ms`);
      for (const step of PURGE_STEPS) {
        let purged = 0;
        for (let batch = 0; ; batch++) {
          if (this.stopRequested) {
            if (purged) this.logger.log(`retention: ${step.what}: ${purged} purged; stopped between two batches for shutdown`);
            return;
          }
          if (batch === MAX_BATCHES_PER_STEP) {
            backlog = true;
            break;
          }
          const removed = await session.batch(step, this.config.RETENTION_DAYS, BATCH);
          purged += removed;
          if (removed < BATCH) break;
        }
        if (purged) this.logger.log(`retention: ${step.what}: ${purged} purged`);
      }
    } finally {
      await session.release();
    }
    if (backlog) this.runAfter(BACKLOG_PAUSE_MS);
  }
}
