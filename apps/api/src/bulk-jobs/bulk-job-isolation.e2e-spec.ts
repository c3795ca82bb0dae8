import type { TestStack } from '../../../../test/support';
import { RecordingReceiver, refuseRows, startIsolatedStack } from '../../../../test/support';
import { count, jobErrors, ndjson, upload, waitForJob } from './bulk-test-kit';

/**
 * A row Postgres refuses (a constraint, a trigger, a cast the parser did not foresee) is one bad
 * row, not a failed chunk: the chunk's statement is published again in halves until the row fails
 * alone, and every other row of the chunk is accepted on the first attempt.
 */
describe('a bulk chunk with rows the database refuses', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;

  beforeAll(async () => {
    receiver = await RecordingReceiver.start();
    // A trigger is added to the schema: a database of this file's own.
    stack = await startIsolatedStack();
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it('reports only those rows, by line, and publishes every other row of the chunk once', async () => {
    await refuseRows(stack.env.DATABASE_URL, 'events', `NEW.data->>'poison' IS NOT NULL`);
    await stack.api.http
      .post(`/v1/tenants/${stack.tenantId}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: receiver.url, eventTypes: ['isolated.*'] })
      .expect(201);
    const poisoned = new Set([39, 249]);
    // Keyed and keyless rows (the refused ones keyed): a half-applied attempt would show as missing or duplicated events.
    const rows = Array.from({ length: 300 }, (_, i) => {
      const line = i + 1;
      if (line === 100) return 'not json';
      return { type: 'isolated.row', data: { line, ...(poisoned.has(line) ? { poison: true } : {}) }, ...(line % 3 === 0 ? { idempotencyKey: `isolated-${line}` } : {}) };
    });

    const accepted = await upload(stack, ndjson(rows), 'application/x-ndjson');
    const job = await waitForJob(stack, accepted.id);

    expect(job).toMatchObject({ status: 'completed_with_errors', totalRows: 300, acceptedRows: 297, failedRows: 3 });
    const errors = await jobErrors(stack, job.id);
    expect(errors.map((e) => e.line)).toEqual([39, 100, 249]);
    for (const error of errors.filter((e) => poisoned.has(e.line))) {
      expect(error.error).toMatch(/^not published: the database refused this row \(refused by test trigger /);
    }
    expect(errors.some((e) => e.error.startsWith('not processed'))).toBe(false);

    const published = (sql: string) => count(stack, sql, stack.tenantId);
    expect(await published(`SELECT count(*) AS n FROM events WHERE tenant_id = $1 AND type = 'isolated.row'`)).toBe(297);
    expect(await published(`SELECT count(DISTINCT data->>'line') AS n FROM events WHERE tenant_id = $1 AND type = 'isolated.row' AND data->>'poison' IS NULL`)).toBe(297);
    expect(await published(`SELECT count(*) AS n FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.tenant_id = $1 AND e.type = 'isolated.row'`)).toBe(297);
    // The claims of the refused rows were rolled back with them: a fixed row can be uploaded again.
    expect(await published(`SELECT count(*) AS n FROM idempotency_keys WHERE tenant_id = $1 AND key LIKE 'isolated-%'`)).toBe(100 - 2);
    expect(await count(stack, `SELECT count(*) AS n FROM bulk_job_chunks WHERE job_id = $1`, job.id)).toBe(0);
  });
});
