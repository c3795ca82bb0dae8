import { Injectable, Logger } from '@nestjs/common';
import { DAY_MS, DAYS_AHEAD } from './partition-ranges';
import { IntervalTask } from './interval-task';
import { PartitionsRepository } from './partitions.repository';

/** Often enough that a worker running for a day never lets the days ahead run short. */
const INTERVAL_MS = 60 * 60_000;

/**
 * Keeps a partition of events, deliveries and attempts ready for today and the next DAYS_AHEAD UTC
 * days, at start and every hour, so an insert always finds its day: there is no default partition
 * to catch an id outside every range (docs/decisions/partitioned-storage.md says why). Every worker
 * runs it; they queue on an advisory lock and all but the first find nothing to do.
 */
@Injectable()
export class PartitionMaintainer extends IntervalTask {
  protected readonly logger = new Logger(PartitionMaintainer.name);
  protected readonly intervalMs = INTERVAL_MS;

  constructor(private readonly partitions: PartitionsRepository) {
    super();
  }

  protected override firstRunAfterMs(): number {
    return 0;
  }

  protected async runOnce(): Promise<void> {
    const now = Date.now();
    const created = await this.partitions.ensureDays(now, now + DAYS_AHEAD * DAY_MS);
    if (created.length) this.logger.log(`partitions created: ${created.join(', ')}`);
  }
}
