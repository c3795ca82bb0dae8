import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { lookAheadMs } from './partition-ranges';
import { IntervalTask } from './interval-task';
import { PartitionsRepository } from './partitions.repository';

/** Often enough that a worker running for a day never lets the days ahead run short. */
const MAX_INTERVAL_MS = 60 * 60_000;
/** With a short look-ahead (fine spans), runs this many times within it: a run that fails or is missed leaves most of it. */
const RUNS_PER_LOOK_AHEAD = 8;

/**
 * Keeps a partition of events, deliveries and attempts ready for the current PARTITION_SPAN and
 * those up to its look-ahead (the next 7 UTC days for day spans; see lookAheadMs), at start and
 * every hour (more often for fine spans), so an insert always finds its partition: there is no
 * default partition to catch an id outside every range (docs/decisions/partitioned-storage.md says
 * why). Every worker runs it; they queue on an advisory lock and all but the first find nothing to do.
 */
@Injectable()
export class PartitionMaintainer extends IntervalTask {
  protected readonly logger = new Logger(PartitionMaintainer.name);
  protected readonly intervalMs: number;
  private readonly lookAheadMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly partitions: PartitionsRepository,
  ) {
    super();
    this.lookAheadMs = lookAheadMs(config.PARTITION_SPAN);
    this.intervalMs = Math.min(MAX_INTERVAL_MS, Math.floor(this.lookAheadMs / RUNS_PER_LOOK_AHEAD));
  }

  protected override firstRunAfterMs(): number {
    return 0;
  }

  protected async runOnce(): Promise<void> {
    const now = Date.now();
    const created = await this.partitions.ensure(now, now + this.lookAheadMs, this.config.PARTITION_SPAN);
    if (created.length) this.logger.log(`partitions created: ${created.join(', ')}`);
  }
}
