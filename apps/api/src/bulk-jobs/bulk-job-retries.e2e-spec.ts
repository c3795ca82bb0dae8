import { randomBytes } from 'node:crypto';
import type { Job } from 'bullmq';
import type { BulkChunkJobData } from '@hookline/queue';
import { BULK_CHUNK_ATTEMPTS } from '@hookline/queue';
import type { TestStack } from '../../../../test/support';
import { execute, startTestStack } from '../../../../test/support';
import { BulkChunkProcessor } from '../../../worker/src/bulk/bulk-chunk.processor';
import { count, db, jobErrors, ndjson, NO_SWEEPER, sleep, upload, waitForJob } from './bulk-test-kit';

/**
 * A chunk whose transaction fails midway. The failure is injected inside Postgres: a trigger on
 * events that raises for this test's tenant (on the Nth row it sees, so part of the chunk was
 * already written when the statement fails), counting with a sequence because sequences ignore
 * rollbacks. It raises a connection failure (SQLSTATE 08006), a fault of the database rather than
 * of a row: a row Postgres refuses is a row error instead (bulk-job-isolation.e2e-spec.ts).
 */
async function injectFailures(stack: TestStack, tenantId: string, failOnRows: (n: string) => string) {
  const name = `test_fail_${randomBytes(4).toString('hex')}`;
  // The run's shared database, whose events other files are writing: `execute` retries a deadlock.
  const databaseUrl = process.env.DATABASE_URL!;
  await execute(databaseUrl, [
    `CREATE SEQUENCE ${name}`,
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.tenant_id = '${tenantId}' AND ${failOnRows(`nextval('${name}')`)} THEN
        RAISE EXCEPTION 'injected failure: the database went away' USING ERRCODE = 'connection_failure';
      END IF;
      RETURN NEW;
    END $$`,
    `CREATE TRIGGER ${name} BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION ${name}()`,
  ]);
  return {
    rowsSeen: async () => Number((await db(stack).$queryRawUnsafe<{ n: bigint }[]>(`SELECT last_value AS n FROM ${name}`))[0].n),
    remove: () => execute(databaseUrl, [`DROP TRIGGER IF EXISTS ${name} ON events`, `DROP FUNCTION IF EXISTS ${name}()`, `DROP SEQUENCE IF EXISTS ${name}`]),
  };
}

describe('a bulk chunk that fails', () => {
  let stack: TestStack;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => (stack = await startTestStack(NO_SWEEPER)));
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    await stack.close();
  });

  it('is retried with backoff and resumes without duplicating anything', async () => {
    const failure = await injectFailures(stack, stack.tenantId, (n) => `${n} = 5`);
    cleanups.push(failure.remove);
    // Keyed and keyless rows: a half-applied first attempt would show as missing events (keys
    // claimed, so "replayed" on retry) or as duplicates (keyless rows inserted twice).
    const rows = Array.from({ length: 40 }, (_, i) => ({ type: 'retry.row', data: { i }, ...(i % 2 ? { idempotencyKey: `retry-${i}` } : {}) }));
    const started = Date.now();
    const accepted = await upload(stack, ndjson(rows), 'application/x-ndjson');

    const job = await waitForJob(stack, accepted.id);
    expect(job).toMatchObject({ status: 'completed', totalRows: 40, acceptedRows: 40, failedRows: 0 });
    // The first attempt died on its 5th row; the retry went through all 40, after BullMQ's backoff.
    expect(await failure.rowsSeen()).toBe(5 + 40);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    expect(await count(stack, `SELECT count(*) AS n FROM events WHERE tenant_id = $1 AND type = 'retry.row'`, stack.tenantId)).toBe(40);
    expect(await count(stack, `SELECT count(DISTINCT data::text) AS n FROM events WHERE tenant_id = $1 AND type = 'retry.row'`, stack.tenantId)).toBe(40);
    expect(await count(stack, `SELECT count(*) AS n FROM idempotency_keys WHERE tenant_id = $1 AND key LIKE 'retry-%'`, stack.tenantId)).toBe(20);
    expect(await count(stack, `SELECT count(*) AS n FROM bulk_job_chunks WHERE job_id = $1`, job.id)).toBe(0);
    expect(await jobErrors(stack, job.id)).toEqual([]);
  });

  it('is given up after its last attempt: its rows are reported as not processed and the job ends failed', async () => {
    const failure = await injectFailures(stack, stack.tenantId, () => 'true');
    cleanups.push(failure.remove);
    const rows = ndjson([{ type: 'doomed.row', data: { i: 1 } }, 'not json', { type: 'doomed.row', data: { i: 2 } }]);
    const accepted = await upload(stack, rows, 'application/x-ndjson');
    await sleep(300);
    // The real worker keeps retrying with backoff; play its final attempt now instead of waiting ~17 minutes.
    const lastAttempt = { data: { bulkJobId: accepted.id, tenantId: stack.tenantId, chunk: 0 }, attemptsMade: BULK_CHUNK_ATTEMPTS - 1, opts: { attempts: BULK_CHUNK_ATTEMPTS } };
    await stack.worker.get(BulkChunkProcessor).process(lastAttempt as Job<BulkChunkJobData>);

    const job = await waitForJob(stack, accepted.id);
    expect(job).toMatchObject({ status: 'failed', totalRows: 3, acceptedRows: 0, failedRows: 3 });
    expect(job.completedAt).not.toBeNull();
    expect(await jobErrors(stack, job.id)).toEqual([
      { line: 1, error: 'not processed: injected failure: the database went away' },
      { line: 2, error: 'not processed: injected failure: the database went away' },
      { line: 3, error: 'not processed: injected failure: the database went away' },
    ]);
    expect(await count(stack, `SELECT count(*) AS n FROM events WHERE tenant_id = $1 AND type = 'doomed.row'`, stack.tenantId)).toBe(0);
  });
});
