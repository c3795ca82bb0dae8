import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { PrismaService } from '@hookline/database';
import { RedisService } from '@hookline/queue';
import { IntervalTask } from './interval-task';

const BATCH = 1_000;
const MAX_BATCHES_PER_RUN = 500;

/**
 * SPEC 5 retention: events older than RETENTION_DAYS go, with their deliveries and attempts (by
 * cascade), in small batches so no long lock is held; expired idempotency keys too. One worker at
 * a time runs it (a Redis lock).
 */
@Injectable()
export class RetentionPurger extends IntervalTask {
  protected readonly logger = new Logger(RetentionPurger.name);
  protected readonly intervalMs = 10 * 60_000;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
  ) {
    super();
  }

  protected async runOnce(): Promise<void> {
    const lockKey = `${this.config.QUEUE_PREFIX}:retention-lock`;
    const locked = await this.redis.set(lockKey, String(process.pid), 'PX', this.intervalMs, 'NX');
    if (!locked) return;
    let events = 0;
    for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
      const deleted = await this.prisma.$executeRawUnsafe(
        `DELETE FROM events WHERE id IN (
           SELECT id FROM events WHERE created_at < now() - make_interval(days => $1) ORDER BY created_at LIMIT $2)`,
        this.config.RETENTION_DAYS,
        BATCH,
      );
      events += deleted;
      if (deleted < BATCH) break;
    }
    await this.prisma.$executeRawUnsafe(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`);
    if (events) this.logger.log(`purged ${events} events older than ${this.config.RETENTION_DAYS} days, with their deliveries and attempts`);
  }
}
