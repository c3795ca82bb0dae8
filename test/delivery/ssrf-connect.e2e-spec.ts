import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { PrismaService } from '@hookline/database';
import type { IsolatedDatabase, TestApi } from '../support';
import { createIsolatedDatabase, createTenant, RecordingReceiver, startTestApi, startTestWorker, waitFor } from '../support';

/**
 * docs/contract.md#security-and-limits: the SSRF check is made on the address actually connected to, at every attempt, not only
 * at registration. The API here allows private networks (so it accepts loopback URLs, as it would
 * accept a hostname that resolved publicly at registration); the worker does not.
 */

describe('SSRF policy at connect time', () => {
  const env: Record<string, string> = {
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    RETRY_SCHEDULE: '100ms,200ms',
    DELIVERY_TIMEOUT_MS: '2000',
    SWEEP_INTERVAL_MS: '500',
  };
  let db: IsolatedDatabase;
  let api: TestApi;
  let prisma: PrismaService;
  let worker: INestApplicationContext | undefined;
  let receiver: RecordingReceiver;
  let tenantPath: string;

  beforeAll(async () => {
    // A database of its own: another file's worker, which allows private networks, must never get
    // to send these deliveries through its sweeper.
    db = await createIsolatedDatabase();
    env.DATABASE_URL = db.url;
    api = await startTestApi(env);
    prisma = api.app.get(PrismaService);
    receiver = await RecordingReceiver.start();
    tenantPath = `/v1/tenants/${(await createTenant(api)).id}`;
  });
  afterAll(async () => {
    await worker?.close();
    await receiver?.close();
    await api?.close();
    await db?.drop();
  });

  async function subscribe(url: string, ns: string) {
    return (
      await api.http
        .post(`${tenantPath}/subscriptions`)
        .set(api.auth())
        .send({ url, eventTypes: [`${ns}.*`] })
        .expect(201)
    ).body.id as string;
  }

  async function publishAndSettle(ns: string) {
    const event = (
      await api.http
        .post(`${tenantPath}/events`)
        .set(api.auth())
        .send({ type: `${ns}.fired`, data: { ns } })
        .expect(202)
    ).body;
    expect(event.deliveryCount).toBe(1);
    const [{ id }] = await prisma.delivery.findMany({ where: { eventId: event.id }, select: { id: true } });
    const delivery = await waitFor(
      async () => (await api.http.get(`${tenantPath}/deliveries/${id}`).set(api.auth()).expect(200)).body,
      (d) => d.status === 'dead' || d.status === 'succeeded',
      { timeoutMs: 8_000, what: `delivery ${id} to end` },
    );
    return { event, delivery };
  }

  describe('with ALLOW_PRIVATE_NETWORKS=false in the worker', () => {
    beforeAll(async () => {
      worker = await startTestWorker({ ...env, ALLOW_PRIVATE_NETWORKS: 'false' });
    });
    afterAll(async () => {
      await worker?.close();
      worker = undefined;
    });

    it.each([
      ['an IPv4 loopback literal', (p: string) => `http://127.0.0.1:${p}/hook`, /^blocked address 127\.0\.0\.1 \(loopback\)$/],
      ['a hostname resolving to loopback', (p: string) => `http://localhost:${p}/hook`, /^blocked address (127\.0\.0\.1|::1) \(loopback\)$/],
      ['an IPv4-mapped IPv6 loopback literal', (p: string) => `http://[::ffff:127.0.0.1]:${p}/hook`, /^blocked address ::ffff:7f00:1 \(loopback\)$/],
    ])('blocks %s: the receiver gets nothing, every attempt names the blocked address', async (_what, url, expectedError) => {
      const ns = `ssrf${randomBytes(3).toString('hex')}`;
      await subscribe(url(new URL(receiver.url).port), ns);
      const before = receiver.requests.length;

      const { delivery } = await publishAndSettle(ns);
      expect(delivery.status).toBe('dead');
      expect(delivery.attempts).toHaveLength(3);
      for (const attempt of delivery.attempts) {
        expect(attempt).toMatchObject({ statusCode: null, responseBody: '' });
        expect(attempt.error).toMatch(expectedError);
      }
      expect(delivery.lastError).toMatch(expectedError);
      // Dead, every attempt recorded: nothing more will be tried.
      expect(receiver.requests.length).toBe(before);
    });
  });

  describe('control: with ALLOW_PRIVATE_NETWORKS=true in the worker', () => {
    beforeAll(async () => {
      worker = await startTestWorker({ ...env, ALLOW_PRIVATE_NETWORKS: 'true' });
    });

    it('delivers to the same kinds of URL (the receiver was reachable all along)', async () => {
      const port = new URL(receiver.url).port;
      for (const url of [`http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`]) {
        const ns = `ssrf${randomBytes(3).toString('hex')}`;
        await subscribe(url, ns);
        const { event, delivery } = await publishAndSettle(ns);
        expect(delivery.status).toBe('succeeded');
        expect(delivery.attempts).toEqual([expect.objectContaining({ statusCode: 200, error: null })]);
        expect(receiver.requests.filter((r) => r.headers['webhook-id'] === event.id)).toHaveLength(1);
      }
    });
  });
});
