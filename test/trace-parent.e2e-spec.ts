import { randomBytes } from 'node:crypto';
import { PrismaService } from '@hookline/database';
import { DeliveryJobsRepository } from '@hookline/deliveries';
import { DeliveryQueues } from '@hookline/queue';
import type { TestApi } from './support';
import { createTenant, RecordingReceiver, startTestApi } from './support';

/**
 * With tracing off (no SDK in this process) a producer's `traceparent` is still stored with its
 * event and carried by its delivery jobs, unchanged; and a delivery queued again from Postgres (the
 * sweeper, a replay) gets it back from the event. Without one, nothing is stored or carried.
 */
describe('the trace context stored with an event (tracing off)', () => {
  let api: TestApi;
  let receiver: RecordingReceiver;
  let path: string;

  beforeAll(async () => {
    // No worker: the jobs stay in Redis to be looked at.
    api = await startTestApi({ QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}` });
    receiver = await RecordingReceiver.start();
    const tenant = await createTenant(api);
    path = `/v1/tenants/${tenant.id}`;
    await api.http
      .post(`${path}/subscriptions`)
      .set(api.auth())
      .send({ url: receiver.url, eventTypes: ['traced.*'] })
      .expect(201);
  });
  afterAll(async () => {
    await Promise.all(api?.app.get(DeliveryQueues).all.map((queue) => queue.obliterate({ force: true })) ?? []);
    await receiver?.close();
    await api?.close();
  });

  async function publish(headers: Record<string, string>) {
    const response = await api.http.post(`${path}/events`).set(api.auth()).set(headers).send({ type: 'traced.event', data: {} }).expect(202);
    const eventId: string = response.body.id;
    const [row] = await api.app.get(PrismaService).$queryRaw<{ traceParent: string | null; deliveryId: string }[]>`
      SELECT e.trace_parent AS "traceParent", d.id AS "deliveryId" FROM events e JOIN deliveries d ON d.event_id = e.id WHERE e.id = ${eventId}`;
    const job = await api.app.get(DeliveryQueues).findJob(row.deliveryId);
    const [rebuilt] = await api.app.get(DeliveryJobsRepository).jobData([row.deliveryId]);
    return { stored: row.traceParent, job: job!.data, rebuilt };
  }

  it("keeps the producer's traceparent and tracestate", async () => {
    const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
    const { stored, job, rebuilt } = await publish({ traceparent, tracestate: 'vendor=abc' });
    expect(stored).toBe(traceparent);
    expect(job).toMatchObject({ traceparent, tracestate: 'vendor=abc' });
    expect(rebuilt.traceparent).toBe(traceparent);
  });

  it('stores and carries nothing without one, or with a malformed one', async () => {
    for (const headers of [{} as Record<string, string>, { traceparent: '00-not-a-trace-01' }, { traceparent: `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01` }]) {
      const { stored, job, rebuilt } = await publish(headers);
      expect(stored).toBeNull();
      expect(job).not.toHaveProperty('traceparent');
      expect(rebuilt).not.toHaveProperty('traceparent');
    }
  });
});
