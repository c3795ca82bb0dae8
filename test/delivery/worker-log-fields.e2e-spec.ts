import { randomBytes } from 'node:crypto';
import { PrismaService } from '@hookline/database';
import type { IsolatedDatabase, TestApi, WorkerProcess } from '../support';
import { createIsolatedDatabase, createTenant, ensureBuilt, RecordingReceiver, spawnWorkerProcess, startTestApi, waitFor } from '../support';

/**
 * A worker line about one delivery (an internal failure, a 410 that disables its subscription)
 * carries the delivery's ids as JSON fields, so a log search by any of them finds it. Read from the
 * output of a real worker process, as a log shipper would. Own database: the broken secret below
 * must not meet another file's worker.
 */
describe('worker log lines about a delivery', () => {
  let db: IsolatedDatabase;
  let api: TestApi;
  let worker: WorkerProcess;
  let receiver: RecordingReceiver;
  let tenantId: string;

  beforeAll(async () => {
    ensureBuilt();
    db = await createIsolatedDatabase();
    const env = { DATABASE_URL: db.url, QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`, RETRY_SCHEDULE: '100ms,100ms' };
    api = await startTestApi(env);
    receiver = await RecordingReceiver.start(() => ({ status: 410 }));
    tenantId = (await createTenant(api)).id;
    worker = spawnWorkerProcess(env);
    await worker.ready;
  }, 180_000);
  afterAll(async () => {
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGTERM');
    await worker?.exited;
    await receiver?.close();
    await api?.close();
    await db?.drop();
  });

  async function subscribeAndPublish(
    type: string,
    beforePublish = async (_subscriptionId: string) => {},
  ): Promise<{ subscriptionId: string; eventId: string; deliveryId: string }> {
    const path = `/v1/tenants/${tenantId}`;
    const subscription = await api.http
      .post(`${path}/subscriptions`)
      .set(api.auth())
      .send({ url: receiver.url, eventTypes: [type] })
      .expect(201);
    await beforePublish(subscription.body.id);
    const event = await api.http.post(`${path}/events`).set(api.auth()).send({ type, data: {} }).expect(202);
    const deliveries = await api.http.get(`${path}/deliveries?eventId=${event.body.id}`).set(api.auth()).expect(200);
    return { subscriptionId: subscription.body.id, eventId: event.body.id, deliveryId: deliveries.body.data[0].id };
  }

  function loggedLine(containing: string): Promise<Record<string, unknown>> {
    return waitFor(
      () =>
        worker
          .output()
          .split('\n')
          .find((line) => line.includes(containing)),
      (line) => line !== undefined,
      { what: `a worker line with "${containing}"`, timeoutMs: 15_000 },
    ).then((line) => JSON.parse(line!) as Record<string, unknown>);
  }

  it('a 410 that disables the subscription: warn, with the delivery, event, subscription and tenant', async () => {
    const ids = await subscribeAndPublish('logged.gone');
    const line = await loggedLine(`${ids.subscriptionId} answered 410 Gone`);
    expect(line).toMatchObject({
      level: 40,
      context: 'DeliveryProcessor',
      delivery_id: ids.deliveryId,
      event_id: ids.eventId,
      subscription_id: ids.subscriptionId,
      tenant_id: tenantId,
    });
  });

  it('an internal failure: error, with the same ids and the error with its stack', async () => {
    // The secret the worker reads to sign the POST cannot be decrypted.
    const ids = await subscribeAndPublish('logged.broken', async (subscriptionId) => {
      await api.app.get(PrismaService).$executeRaw`UPDATE subscription_secrets SET ciphertext = 'v1.not.decryptable' WHERE subscription_id = ${subscriptionId}`;
    });
    const line = await loggedLine(`delivery ${ids.deliveryId}: internal error 1/`);
    expect(line).toMatchObject({
      level: 50,
      context: 'DeliveryProcessor',
      delivery_id: ids.deliveryId,
      event_id: ids.eventId,
      subscription_id: ids.subscriptionId,
      tenant_id: tenantId,
      err: { message: expect.any(String), stack: expect.stringContaining('\n    at ') },
    });
  });
});
