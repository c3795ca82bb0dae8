import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { newId } from '@hookline/ids';
import type { IsolatedDatabase } from '../support';
import { createIsolatedDatabase, startTestWorker, waitUntil } from '../support';
import { BulkChunkProcessor } from '../../apps/worker/src/bulk/bulk-chunk.processor';
import { DeliveryWorkers } from '../../apps/worker/src/delivery/delivery-workers';
import { RetentionPurger } from '../../apps/worker/src/maintenance/retention-purger';
import { ReplayProcessor } from '../../apps/worker/src/replays/replay.processor';

/**
 * The worker's retention purge beyond events, deliveries and attempts (dropped by day, see
 * partitions.e2e-spec.ts): idempotency keys after 24 h, finished bulk jobs with
 * their row errors and chunks, finished replays, and signing secrets whose rotation grace ended.
 * A database of its own: the purge deletes by age across every tenant.
 */

const RETENTION_DAYS = 30;
const BATCH = 1_000;

describe('retention purge', () => {
  let db: IsolatedDatabase;
  let sql: Client;
  let worker: INestApplicationContext | undefined;
  const tenantId = 'ten_retention';
  const eventId = newId('evt');

  const count = async (query: string, params: unknown[] = []) => Number((await sql.query<{ n: string }>(query, params)).rows[0].n);
  const ids = async (query: string) => (await sql.query<{ id: string }>(query)).rows.map((row) => row.id).sort();
  const boot = (env: Record<string, string> = {}) =>
    startTestWorker({ DATABASE_URL: db.url, QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`, RETENTION_DAYS: String(RETENTION_DAYS), ...env });

  beforeAll(async () => {
    db = await createIsolatedDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(`INSERT INTO tenants (id, name, updated_at) VALUES ($1, 'retention', now())`, [tenantId]);
    await sql.query(`INSERT INTO subscriptions (id, tenant_id, url, event_types, updated_at) VALUES ('sub_r', $1, 'https://example.com/hook', '{}', now())`, [tenantId]);
    // Ids of newId's shape: events and deliveries are partitioned by the day in their ids.
    await sql.query(`INSERT INTO events (id, tenant_id, type, data) VALUES ($2, $1, 'retention.test', '{}')`, [tenantId, eventId]);
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  it('purges each table past its window in batches and keeps what is newer or unfinished', async () => {
    // Idempotency keys: 24 h.
    await sql.query(
      `INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash, created_at) VALUES
         ($1, 'key-expired', 'evt_r', 'h', now() - interval '24 hours 1 minute'),
         ($1, 'key-live', 'evt_r', 'h', now() - interval '23 hours 59 minutes')`,
      [tenantId],
    );
    // Bulk jobs: finished more than RETENTION_DAYS ago, with more row errors than one batch.
    await sql.query(
      `INSERT INTO bulk_jobs (id, tenant_id, status, format, chunk_count, created_at, completed_at) VALUES
         ('job_old_done', $1, 'completed_with_errors', 'ndjson', 2, now() - interval '40 days', now() - interval '30 days 1 minute'),
         ('job_old_failed', $1, 'failed', 'csv', 1, now() - interval '40 days', now() - interval '35 days'),
         ('job_recent_done', $1, 'completed', 'ndjson', 1, now() - interval '40 days', now() - interval '29 days 23 hours'),
         ('job_old_running', $1, 'processing', 'ndjson', 3, now() - interval '40 days', NULL)`,
      [tenantId],
    );
    await sql.query(`INSERT INTO bulk_job_errors (job_id, line, error) SELECT 'job_old_done', n, 'bad row' FROM generate_series(1, 2500) n`);
    await sql.query(`INSERT INTO bulk_job_errors (job_id, line, error) SELECT job, 1, 'bad row' FROM unnest(ARRAY['job_old_failed', 'job_recent_done', 'job_old_running']) job`);
    await sql.query(
      `INSERT INTO bulk_job_chunks (job_id, chunk, part, lines, rows) VALUES
         ('job_old_failed', 0, 0, '{1}', '{}'), ('job_old_failed', 0, 1, '{2}', '{}'), ('job_old_running', 2, 0, '{1}', '{}')`,
    );
    // Replays: finished more than RETENTION_DAYS ago; their deliveries stay, unlinked.
    await sql.query(
      `INSERT INTO replays (id, tenant_id, filter, status, created_at, completed_at) VALUES
         ('rpl_old_done', $1, '{}', 'completed', now() - interval '40 days', now() - interval '31 days'),
         ('rpl_old_failed', NULL, '{}', 'failed', now() - interval '40 days', now() - interval '31 days'),
         ('rpl_recent_done', $1, '{}', 'completed', now() - interval '40 days', now() - interval '29 days'),
         ('rpl_old_running', $1, '{}', 'running', now() - interval '40 days', NULL)`,
      [tenantId],
    );
    await sql.query(
      `INSERT INTO deliveries (id, tenant_id, event_id, event_type, subscription_id, status, replay_id)
       SELECT 'dlv_' || hookline_ulid(), $1, $2, 'retention.test', 'sub_r', 'succeeded', (ARRAY['rpl_old_done', 'rpl_old_failed', 'rpl_recent_done', 'rpl_old_running'])[1 + n % 4]
       FROM generate_series(0, 2399) n`,
      [tenantId, eventId],
    );
    // Secrets: the current one, one whose grace ended, one still in its grace.
    await sql.query(
      `INSERT INTO subscription_secrets (id, subscription_id, ciphertext, created_at, expires_at) VALUES
         ('sec_current', 'sub_r', 'c', now(), NULL),
         ('sec_grace_ended', 'sub_r', 'c', now() - interval '3 days', now() - interval '1 minute'),
         ('sec_in_grace', 'sub_r', 'c', now() - interval '2 days', now() + interval '1 hour')`,
    );

    worker = await boot();
    await worker.get(RetentionPurger).tick();

    expect((await sql.query(`SELECT key FROM idempotency_keys ORDER BY key`)).rows.map((row) => row.key)).toEqual(['key-live']);

    expect(await ids(`SELECT id FROM bulk_jobs`)).toEqual(['job_old_running', 'job_recent_done']);
    expect(await count(`SELECT count(*) AS n FROM bulk_job_errors WHERE job_id IN ('job_old_done', 'job_old_failed')`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM bulk_job_errors`)).toBe(2);
    expect(await ids(`SELECT job_id || ':' || chunk || ':' || part AS id FROM bulk_job_chunks`)).toEqual(['job_old_running:2:0']);

    expect(await ids(`SELECT id FROM replays`)).toEqual(['rpl_old_running', 'rpl_recent_done']);
    expect(await count(`SELECT count(*) AS n FROM deliveries`)).toBe(2400);
    const links = await sql.query<{ replay_id: string | null; n: string }>(`SELECT replay_id, count(*) AS n FROM deliveries GROUP BY replay_id ORDER BY replay_id NULLS FIRST`);
    expect(links.rows.map((row) => [row.replay_id, Number(row.n)])).toEqual([
      [null, 1200],
      ['rpl_old_running', 600],
      ['rpl_recent_done', 600],
    ]);

    expect(await ids(`SELECT id FROM subscription_secrets`)).toEqual(['sec_current', 'sec_in_grace']);
  });

  it('skips its turn while another worker holds the purge lock', async () => {
    await sql.query(`INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash, created_at) VALUES ($1, 'key-locked', 'evt_r', 'h', now() - interval '2 days')`, [
      tenantId,
    ]);
    worker = await boot();
    const purger = worker.get(RetentionPurger);
    await sql.query(`SELECT pg_advisory_lock(hashtextextended('hookline.retention-purge', 0))`);
    try {
      await purger.tick();
      expect(await count(`SELECT count(*) AS n FROM idempotency_keys WHERE key = 'key-locked'`)).toBe(1);
    } finally {
      await sql.query(`SELECT pg_advisory_unlock(hashtextextended('hookline.retention-purge', 0))`);
    }
    await purger.tick();
    expect(await count(`SELECT count(*) AS n FROM idempotency_keys WHERE key = 'key-locked'`)).toBe(0);
  });

  it('never waits on a row a publish holds: that row is left for a later run, the others go', async () => {
    await sql.query(
      `INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash, created_at) VALUES
         ($1, 'key-held', 'evt_r', 'h', now() - interval '2 days'), ($1, 'key-free', 'evt_r', 'h', now() - interval '2 days')`,
      [tenantId],
    );
    worker = await boot();
    // A publish taking over the expired key holds its row lock until it commits.
    const publisher = new Client({ connectionString: db.url });
    await publisher.connect();
    try {
      await publisher.query('BEGIN');
      await publisher.query(`SELECT 1 FROM idempotency_keys WHERE tenant_id = $1 AND key = 'key-held' FOR UPDATE`, [tenantId]);
      await worker.get(RetentionPurger).tick();
      expect((await sql.query(`SELECT key FROM idempotency_keys WHERE key IN ('key-held', 'key-free')`)).rows.map((row) => row.key)).toEqual(['key-held']);
      await publisher.query('ROLLBACK');
    } finally {
      await publisher.end();
    }
    await worker.get(RetentionPurger).tick();
    expect(await count(`SELECT count(*) AS n FROM idempotency_keys WHERE key = 'key-held'`)).toBe(0);
  });

  it('runs its first purge seconds after start, not after the interval', async () => {
    await sql.query(`INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash, created_at) VALUES ($1, 'key-at-start', 'evt_r', 'h', now() - interval '2 days')`, [
      tenantId,
    ]);
    await sql.query(`INSERT INTO subscription_secrets (id, subscription_id, ciphertext, expires_at) VALUES ('sec_at_start', 'sub_r', 'c', now() - interval '1 second')`);
    worker = await boot({ RETENTION_INTERVAL_MS: '600000' });
    await waitUntil(
      'the expired key and secret purged',
      async () =>
        (await count(`SELECT count(*) AS n FROM idempotency_keys WHERE key = 'key-at-start'`)) +
          (await count(`SELECT count(*) AS n FROM subscription_secrets WHERE id = 'sec_at_start'`)) ===
        0,
      20_000,
    );
  });

  it('at shutdown stops taking jobs first, then stops a long purge between two batches', async () => {
    const rows = 100 * BATCH;
    await sql.query(
      `INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash, created_at)
       SELECT $1, 'bulk-' || n, 'evt_r', 'h', now() - interval '2 days' FROM generate_series(1, $2::int) n`,
      [tenantId, rows],
    );
    const remaining = () => count(`SELECT count(*) AS n FROM idempotency_keys WHERE key LIKE 'bulk-%'`);
    worker = await boot();
    const order: string[] = [];
    for (const processor of [ReplayProcessor, BulkChunkProcessor]) {
      worker.get(processor, { strict: false }).worker.on('closing', () => order.push(`${processor.name} stops taking jobs`));
    }
    for (const shard of worker.get(DeliveryWorkers, { strict: false }).workers) shard.on('closing', () => order.push('DeliveryWorkers stops taking jobs'));
    const purge = worker
      .get(RetentionPurger)
      .tick()
      .then(() => order.push('purge ended'));

    await waitUntil('the first batch committed', async () => (await remaining()) < rows, 20_000);
    const closing = worker;
    worker = undefined;
    await closing.close();
    await purge;

    expect(order.pop()).toBe('purge ended');
    expect([...new Set(order)].sort()).toEqual(['BulkChunkProcessor stops taking jobs', 'DeliveryWorkers stops taking jobs', 'ReplayProcessor stops taking jobs']);
    const left = await remaining();
    expect(left).toBeGreaterThan(0);
    // Whole batches only: each is one statement, committed or not at all.
    expect((rows - left) % BATCH).toBe(0);
  });
});
