import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { PrismaService } from '@hookline/database';

const FLUSH_DELAY_MS = 50;
const MAX_BATCH = 1_000;

/** `d.id = ANY($1)` beside the join: on constants the planner keeps to the partitions holding the ids (docs/decisions/partitioned-storage.md). */
export const DEFERRAL_SQL = `
UPDATE deliveries d SET next_attempt_at = u.at
FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
WHERE d.id = u.id AND d.id = ANY($1::text[]) AND d.status IN ('pending', 'failed')`;

/**
 * Writes the new due time of deliveries held back by the gate (breaker, rate limit, busy endpoint),
 * a batch per tick: the API then shows when the next attempt really is, and the sweeper does not
 * take a delivery waiting on purpose for one that is overdue. Best effort: the job in Redis is the
 * source of truth for when it runs.
 */
@Injectable()
export class DeferralRecorder implements OnModuleDestroy {
  private readonly logger = new Logger(DeferralRecorder.name);
  private pending = new Map<string, Date>();
  private timer?: NodeJS.Timeout;
  private writing = Promise.resolve();

  constructor(private readonly prisma: PrismaService) {}

  deferred(deliveryId: string, until: Date): void {
    this.pending.set(deliveryId, until);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  async onModuleDestroy() {
    clearTimeout(this.timer);
    await this.flush();
  }

  private flush(): Promise<void> {
    this.timer = undefined;
    const batch = [...this.pending].slice(0, MAX_BATCH);
    for (const [id] of batch) this.pending.delete(id);
    if (this.pending.size) this.timer = setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
    if (batch.length === 0) return this.writing;
    this.writing = this.writing.then(() =>
      this.prisma
        .$executeRawUnsafe(
          DEFERRAL_SQL,
          batch.map(([id]) => id),
          batch.map(([, at]) => at),
        )
        .then(() => undefined)
        .catch((error: Error) => this.logger.debug(`could not record ${batch.length} deferrals: ${error.message}`)),
    );
    return this.writing;
  }
}
