import type { Pool } from 'pg';
import { sleep } from './clock';

/** Cumulative counters of the bench database and the server's WAL position. */
export interface PostgresCounters {
  walBytes: bigint;
  commits: number;
  inserted: number;
  updated: number;
  hotUpdated: number;
  deleted: number;
  /** Index entries scanned and tuples fetched: reads, roughly. */
  indexScans: number;
}

/** What Postgres did per delivery over a scenario: the write side of the delivery path. */
export interface PostgresWork {
  walBytesPerDelivery: number;
  commitsPerDelivery: number;
  rowsInsertedPerDelivery: number;
  rowsUpdatedPerDelivery: number;
  /** Share of the updates that were HOT (no index entry written). */
  hotShare: number;
  rowsDeletedPerDelivery: number;
  indexScansPerDelivery: number;
}

/** Backends report their table statistics within a second while busy, within 10 s once idle. */
const SETTLE_POLL_MS = 1_000;
const SETTLE_MAX_MS = 12_000;

export async function postgresCounters(pool: Pool): Promise<PostgresCounters> {
  const { rows } = await pool.query<{ wal: string; commits: number; ins: number; upd: number; hot: number; del: number; idx: number }>(
    `SELECT pg_current_wal_lsn() - '0/0'::pg_lsn AS wal,
            (SELECT xact_commit::float8 FROM pg_stat_database WHERE datname = current_database()) AS commits,
            sum(n_tup_ins)::float8 AS ins, sum(n_tup_upd)::float8 AS upd, sum(n_tup_hot_upd)::float8 AS hot, sum(n_tup_del)::float8 AS del,
            coalesce(sum(idx_scan), 0)::float8 AS idx
       FROM pg_stat_user_tables`,
  );
  const r = rows[0];
  return { walBytes: BigInt(r.wal.split('.')[0]), commits: r.commits, inserted: r.ins, updated: r.upd, hotUpdated: r.hot, deleted: r.del, indexScans: r.idx };
}

/**
 * Counters once the work is over: waits until the table statistics stop moving (idle backends
 * report theirs late), so the last second of the scenario is counted too.
 */
export async function settledPostgresCounters(pool: Pool): Promise<PostgresCounters> {
  let last = await postgresCounters(pool);
  for (let waited = 0; waited < SETTLE_MAX_MS; waited += SETTLE_POLL_MS) {
    await sleep(SETTLE_POLL_MS);
    const now = await postgresCounters(pool);
    if (now.inserted === last.inserted && now.updated === last.updated) return now;
    last = now;
  }
  return last;
}

export function postgresWorkPerDelivery(before: PostgresCounters, after: PostgresCounters, deliveries: number): PostgresWork {
  const per = (a: number, b: number) => (deliveries > 0 ? (b - a) / deliveries : 0);
  const updated = after.updated - before.updated;
  return {
    walBytesPerDelivery: deliveries > 0 ? Number(after.walBytes - before.walBytes) / deliveries : 0,
    commitsPerDelivery: per(before.commits, after.commits),
    rowsInsertedPerDelivery: per(before.inserted, after.inserted),
    rowsUpdatedPerDelivery: per(before.updated, after.updated),
    hotShare: updated > 0 ? (after.hotUpdated - before.hotUpdated) / updated : 0,
    rowsDeletedPerDelivery: per(before.deleted, after.deleted),
    indexScansPerDelivery: per(before.indexScans, after.indexScans),
  };
}

export function describePostgresWork(work: PostgresWork): string {
  return [
    `${Math.round(work.walBytesPerDelivery)} B of WAL`,
    `${work.commitsPerDelivery.toFixed(2)} commits`,
    `${work.rowsInsertedPerDelivery.toFixed(2)} rows inserted`,
    `${work.rowsUpdatedPerDelivery.toFixed(2)} updated (${Math.round(work.hotShare * 100)} % HOT)`,
    `${work.rowsDeletedPerDelivery.toFixed(2)} deleted`,
    `${work.indexScansPerDelivery.toFixed(2)} index scans`,
  ].join(', ');
}
