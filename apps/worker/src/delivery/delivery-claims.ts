import { Inject, Injectable } from '@nestjs/common';
import { GroupCommit } from '@hookline/batching';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { SqlPool } from '@hookline/database';
import { LOCK_MARGIN_MS } from './delivery-worker.options';
import type { Lane } from './working-slots';
import { FAST_LANE } from './working-slots';

/** What a job may do with its delivery right now. */
export type Claim =
  /** Send it: nobody else will until the attempt is recorded or `lease` passes. Counters are Postgres's. */
  | { kind: 'send'; lease: Date; attemptCount: number; cycleAttempts: number }
  /** Another job is sending it (or a worker died doing so): look again after `until`. */
  | { kind: 'busy'; until: Date }
  /** Not to be sent by this job: cancelled, succeeded, dead, purged, or its subscription was disabled. */
  | { kind: 'closed'; status: string | null };

interface ClaimRow {
  id: string;
  status: string;
  lease: Date | null;
  inFlightUntil: Date | null;
  attemptCount: number;
  cycleAttempts: number;
}

const MAX_BATCH = 1_000;

/**
 * Locks in id order (no deadlock with another claim or a cancellation, which lock the same way),
 * so `current` is each row's latest committed state. The update names its ids again although the
 * join implies them: on constants the planner keeps to the partitions that hold the batch
 * (docs/decisions/partitioned-storage.md). An open delivery of a subscription that is
 * no longer active is cancelled here rather than sent: the worker's subscription cache may be a
 * few seconds behind.
 */
const CLAIM_SQL = `
WITH current AS (
  SELECT d.id, d.status, d.in_flight_until, d.attempt_count, d.cycle_attempts,
         (s.status = 'active' AND s.deleted_at IS NULL) AS active
  FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
  WHERE d.id = ANY($1::text[])
  ORDER BY d.id
  FOR UPDATE OF d
), claimed AS (
  UPDATE deliveries d
  SET in_flight_until = CASE WHEN c.active THEN now() + make_interval(secs => $2::float8 / 1000) END,
      status = CASE WHEN c.active THEN d.status ELSE 'cancelled'::"DeliveryStatus" END,
      next_attempt_at = CASE WHEN c.active THEN d.next_attempt_at END,
      updated_at = CASE WHEN c.active THEN d.updated_at ELSE now() END
  FROM current c
  WHERE d.id = c.id AND d.id = ANY($1::text[]) AND c.status IN ('pending', 'failed') AND (c.in_flight_until IS NULL OR c.in_flight_until <= now())
  RETURNING d.id, d.status, d.in_flight_until
)
SELECT c.id, coalesce(k.status, c.status) AS status, k.in_flight_until AS lease, c.in_flight_until AS "inFlightUntil",
       c.attempt_count AS "attemptCount", c.cycle_attempts AS "cycleAttempts"
FROM current c LEFT JOIN claimed k ON k.id = c.id`;

/**
 * The check made just before each POST: is the delivery still to be sent, and by this job alone?
 * A cancelled or succeeded delivery is never sent again (a late retry after a disable and enable,
 * a duplicate job), and two jobs never send one delivery at once. The claim is group-committed:
 * claims of concurrent jobs share one statement, so under load it costs a fraction of a round trip
 * per attempt; its counters also spare the retry path a Redis write of the job's data.
 * Why: docs/decisions/claim-before-post.md.
 */
@Injectable()
export class DeliveryClaims {
  private readonly leaseMs: number;
  /**
   * Fast-lane claims go in statements of their own: a quiet tenant's claim never waits for a
   * backlog's batch in flight and then rides in the next one with it (docs/decisions/fair-tenants.md).
   */
  private readonly fastLane = new GroupCommit<string, Claim>((ids) => this.claimAll(ids), MAX_BATCH);
  private readonly slowerLanes = new GroupCommit<string, Claim>((ids) => this.claimAll(ids), MAX_BATCH);

  constructor(
    private readonly sql: SqlPool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // As long as the queue lock: the POST, signing and recording fit in it (see delivery-worker.options.ts).
    this.leaseMs = config.DELIVERY_TIMEOUT_MS + LOCK_MARGIN_MS;
  }

  claim(deliveryId: string, lane: Lane): Promise<Claim> {
    return (lane === FAST_LANE ? this.fastLane : this.slowerLanes).submit(deliveryId);
  }

  private async claimAll(ids: string[]): Promise<Claim[]> {
    const rows = await this.sql.rows<ClaimRow>(CLAIM_SQL, [[...new Set(ids)], this.leaseMs]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    const granted = new Set<string>();
    return ids.map((id) => {
      const row = byId.get(id);
      if (!row) return { kind: 'closed', status: null };
      if (row.lease && !granted.has(id)) {
        granted.add(id);
        return { kind: 'send', lease: row.lease, attemptCount: row.attemptCount, cycleAttempts: row.cycleAttempts };
      }
      // Two jobs of one delivery in the same batch: the first one sends.
      if (row.lease) return { kind: 'busy', until: row.lease };
      if ((row.status === 'pending' || row.status === 'failed') && row.inFlightUntil) return { kind: 'busy', until: row.inFlightUntil };
      return { kind: 'closed', status: row.status };
    });
  }
}
