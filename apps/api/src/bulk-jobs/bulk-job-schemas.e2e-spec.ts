import { EventTypeSchemaCache } from '@hookline/event-types';
import type { TestStack } from '../../../../test/support';
import { startTestStack, waitUntil } from '../../../../test/support';
import { jobErrors, ndjson, NO_SWEEPER, upload, waitForJob } from './bulk-test-kit';

/** The worker publishes bulk chunks with a schema cache of its own: a change through the API must reach it too. */
describe('bulk jobs after a schema change', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack(NO_SWEEPER);
    await waitUntil("the worker's schema cache to subscribe", () => stack.worker.get(EventTypeSchemaCache).live);
  });
  afterAll(() => stack?.close());

  it('checks the next job against the schema the API changed, once the worker has heard of it', async () => {
    const name = `bulkschema${process.pid}.order`;
    const rows = ndjson([{ type: name, data: { amount: 'ten' } }]);
    const workerCache = stack.worker.get(EventTypeSchemaCache);
    await stack.api.http
      .post('/v1/event-types')
      .set(stack.api.auth())
      .send({ name, schema: { type: 'object' } })
      .expect(201);
    expect(await waitForJob(stack, (await upload(stack, rows, 'application/x-ndjson')).id)).toMatchObject({ acceptedRows: 1, failedRows: 0 });
    expect(workerCache.get(name)).toEqual(expect.any(Function));

    await stack.api.http
      .patch(`/v1/event-types/${name}`)
      .set(stack.api.auth())
      .send({ schema: { type: 'object', properties: { amount: { type: 'integer' } } } })
      .expect(200);
    await waitUntil('the worker to drop its copy of the schema', () => workerCache.get(name) === undefined);
    const job = await waitForJob(stack, (await upload(stack, rows, 'application/x-ndjson')).id);
    expect(job).toMatchObject({ acceptedRows: 0, failedRows: 1 });
    expect(await jobErrors(stack, job.id)).toEqual([{ line: 1, error: `data does not match the schema of ${name}: data.amount must be integer` }]);
  });
});
