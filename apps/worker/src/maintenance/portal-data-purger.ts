import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { SqlPool } from '@hookline/database';
import { IntervalTask } from './interval-task';

const BATCH = 5_000;
const MAX_BATCHES_PER_RUN = 100;
/** Kept a day past expiry, so a customer whose link just lapsed is refused as expired, not unknown. */
const EXPIRED_SESSION_GRACE = '1 day';

/**
 * What the portal reads grows with time, so it ages out like attempts do: the per-minute delivery
 * stats older than RETENTION_DAYS, and portal sessions long expired or revoked. Every worker may run
 * it; the deletes are idempotent and batched, so overlapping runs cost little.
 */
@Injectable()
export class PortalDataPurger extends IntervalTask {
  protected readonly logger = new Logger(PortalDataPurger.name);
  protected readonly intervalMs = 10 * 60_000;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sql: SqlPool,
  ) {
    super();
  }

  protected async runOnce(): Promise<void> {
    for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
      const { rowCount } = await this.sql.query(
        `DELETE FROM delivery_stats_minutes WHERE ctid = ANY (ARRAY(
           SELECT ctid FROM delivery_stats_minutes WHERE minute < now() - $1::float8 * interval '1 day' LIMIT $2))`,
        [this.config.RETENTION_DAYS, BATCH],
      );
      if ((rowCount ?? 0) < BATCH) break;
    }
    await this.sql.query(`DELETE FROM portal_sessions WHERE expires_at < now() - interval '${EXPIRED_SESSION_GRACE}' OR revoked_at < now() - interval '${EXPIRED_SESSION_GRACE}'`);
  }
}
