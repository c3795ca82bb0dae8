import { Pool } from 'pg';
import { clock, sleep } from './clock';
import type { PostgresCounters } from './postgres-work';
import { postgresCounters, settledPostgresCounters } from './postgres-work';

/** The longest wait between two counts while a backlog drains. */
const MAX_POLL_MS = 1_000;

export type DeliveryScope = { tenantId: string } | { subscriptionId: string };

export interface SucceededCount {
  count: number;
  /** When the last of them was recorded (`updated_at`, set by the worker's attempt write), ms since epoch. */
  lastRecordedAt: number | null;
}

/**
 * Reads the bench database directly. "All N succeeded" is a count, and the HTTP API is not the
 * thing under test when the bench waits for a backlog to drain (scenario 4 samples the API instead).
 */
export class DeliveriesDb {
  private readonly pool: Pool;

  constructor(databaseUrl: string) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 2 });
  }

  private async succeeded(scope: DeliveryScope): Promise<SucceededCount> {
    const [column, id] = scopeColumn(scope);
    const { rows } = await this.pool.query<{ count: number; last: Date | null }>(
      `SELECT count(*)::int AS count, max(updated_at) AS last FROM deliveries WHERE ${column} = $1 AND status = 'succeeded'`,
      [id],
    );
    return { count: rows[0].count, lastRecordedAt: rows[0].last?.getTime() ?? null };
  }

  private async succeededCount(scope: DeliveryScope): Promise<number> {
    const [column, id] = scopeColumn(scope);
    const { rows } = await this.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM deliveries WHERE ${column} = $1 AND status = 'succeeded'`, [id]);
    return rows[0].count;
  }

  async statusCounts(scope: DeliveryScope): Promise<Record<string, number>> {
    const [column, id] = scopeColumn(scope);
    const { rows } = await this.pool.query<{ status: string; count: number }>(
      `SELECT status::text AS status, count(*)::int AS count FROM deliveries WHERE ${column} = $1 GROUP BY status`,
      [id],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.count]));
  }

  /**
   * Polls until `expected` deliveries of the scope have succeeded or the deadline passes (then
   * `complete` is false). A count visits every succeeded row, which takes Postgres CPU from the
   * system being measured (polling 20,000 rows every 20 ms took a sizeable share of a core), so
   * while far from done it waits half the time the rate seen so far needs for the rest, and never
   * less than `pollMs`. When it ends is read from the rows (`updated_at`), so polling rarely costs
   * no precision.
   */
  async waitForSucceeded(scope: DeliveryScope, expected: number, timeoutMs: number, pollMs = 50): Promise<SucceededCount & { complete: boolean }> {
    const deadline = clock() + timeoutMs;
    let previous: { at: number; count: number } | null = null;
    for (;;) {
      const count = await this.succeededCount(scope);
      const at = clock();
      if (count >= expected || at > deadline) return { ...(await this.succeeded(scope)), complete: count >= expected };
      const rate = previous && count > previous.count ? (count - previous.count) / (at - previous.at) : 0;
      previous = { at, count };
      await sleep(rate > 0 ? Math.min(MAX_POLL_MS, Math.max(pollMs, (expected - count) / rate / 2)) : pollMs);
    }
  }

  /** The bench database's write counters and the WAL position, to measure Postgres's work per delivery. */
  postgresCounters(): Promise<PostgresCounters> {
    return postgresCounters(this.pool);
  }

  /** The same once the last backend has reported its statistics. */
  settledPostgresCounters(): Promise<PostgresCounters> {
    return settledPostgresCounters(this.pool);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

function scopeColumn(scope: DeliveryScope): [string, string] {
  return 'tenantId' in scope ? ['tenant_id', scope.tenantId] : ['subscription_id', scope.subscriptionId];
}
