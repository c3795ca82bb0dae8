import { Injectable, Logger } from '@nestjs/common';
import { StatusCountsRepository } from '@hookline/deliveries';
import { IntervalTask } from './interval-task';

const FOLD_INTERVAL_MS = 1_000;
const ROWS_PER_FOLD = 20_000;
const MAX_FOLDS_PER_RUN = 50;

/**
 * Folds the per-statement delivery status deltas into the per-tenant counts every second, so the
 * deltas a stats read adds up stay few. One worker folds at a time (an advisory lock); the others
 * skip their turn. Counts are exact whether or not a fold has run; folding only keeps reads cheap.
 */
@Injectable()
export class StatusCountsFolder extends IntervalTask {
  protected readonly logger = new Logger(StatusCountsFolder.name);
  protected readonly intervalMs = FOLD_INTERVAL_MS;

  constructor(private readonly counts: StatusCountsRepository) {
    super();
  }

  protected async runOnce(): Promise<void> {
    for (let i = 0; i < MAX_FOLDS_PER_RUN && !this.stopRequested; i++) {
      const moved = await this.counts.fold(ROWS_PER_FOLD);
      if (moved === null || moved < ROWS_PER_FOLD) return;
    }
  }
}
