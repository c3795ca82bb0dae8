import { Client } from 'pg';
import type { AppConfig } from '@hookline/config';
import { SqlPool } from '@hookline/database';
import { withTimeout } from '@hookline/timeout';
import type { IsolatedDatabase } from '../../../../test/support';
import { createIsolatedDatabase, seedDeliveries, testConfig, waitUntil } from '../../../../test/support';
import type { Claim } from './delivery-claims';
import { DeliveryClaims } from './delivery-claims';
import { FAST_LANE } from './working-slots';

const BACKLOG_LANE = 5;

/**
 * A fast-lane claim does not wait for a slower lane's claim statement in flight. The backlog's
 * claim is held in Postgres (another transaction locks its delivery), then a fast-lane claim is
 * made: it is answered while the backlog's is still waiting. Batched together, it would wait for
 * the lock too. Its own database: the deliveries it inserts are due, and another stack's sweeper
 * would send them.
 */
describe('delivery claims by lane', () => {
  let db: IsolatedDatabase;
  let config: AppConfig;
  let sql: Client;
  let pool: SqlPool;
  let backlogDelivery: string;
  let quietDelivery: string;

  beforeAll(async () => {
    db = await createIsolatedDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    [backlogDelivery, quietDelivery] = await seedDeliveries(sql, 2);
    config = testConfig({ DATABASE_URL: db.url });
    pool = new SqlPool(config);
  });

  afterAll(async () => {
    await pool?.end();
    await sql?.end();
    await db?.drop();
  });

  it("answers a fast-lane claim while a slower lane's claim waits in Postgres", async () => {
    const claims = new DeliveryClaims(pool, config);
    const blocker = new Client({ connectionString: db.url, application_name: 'claims-blocker' });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM deliveries WHERE id = $1 FOR UPDATE', [backlogDelivery]);

      let backlogClaim: Claim | undefined;
      const backlogClaimed = claims.claim(backlogDelivery, BACKLOG_LANE).then((claim) => (backlogClaim = claim));
      await waitUntil("the backlog's claim waiting for the row lock", async () => {
        const { rows } = await sql.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'hookline' AND wait_event_type = 'Lock'`);
        return rows.length > 0;
      });

      const quietClaim = await withTimeout(claims.claim(quietDelivery, FAST_LANE), 10_000, "the fast-lane claim waited for the backlog's");
      expect(quietClaim.kind).toBe('send');
      expect(backlogClaim).toBeUndefined();

      await blocker.query('ROLLBACK');
      await backlogClaimed;
      expect(backlogClaim?.kind).toBe('send');
    } finally {
      await blocker.end();
    }
  });
});
