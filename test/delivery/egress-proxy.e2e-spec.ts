import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { PrismaService } from '@hookline/database';
import type { IsolatedDatabase, TestApi, TestProxy } from '../support';
import { createIsolatedDatabase, createTenant, RecordingReceiver, startTestApi, startTestProxy, startTestWorker, waitFor } from '../support';

/**
 * EGRESS_PROXY_URL: every attempt leaves through an HTTP CONNECT proxy (a real tinyproxy whose
 * outgoing connections come from 127.0.0.2, while this process connects from 127.0.0.1), and the
 * worker still applies the SSRF policy to the destination itself, before the proxy hears of it.
 */

describe('deliveries through EGRESS_PROXY_URL', () => {
  const env: Record<string, string> = { QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`, RETRY_SCHEDULE: '100ms,200ms', DELIVERY_TIMEOUT_MS: '3000' };
  let db: IsolatedDatabase;
  let api: TestApi;
  let prisma: PrismaService;
  let receiver: RecordingReceiver;
  let proxy: TestProxy;
  let worker: INestApplicationContext | undefined;
  let tenantPath: string;
  let port: string;

  beforeAll(async () => {
    // A database of its own: no other file's sweeper may send these deliveries past the proxy.
    db = await createIsolatedDatabase();
    env.DATABASE_URL = db.url;
    receiver = await RecordingReceiver.start();
    port = new URL(receiver.url).port;
    proxy = await startTestProxy({ connectPorts: [Number(port)], bind: '127.0.0.2' });
    // The API accepts loopback URLs, as it would a name that resolved publicly when registered.
    api = await startTestApi({ ...env, ALLOW_PRIVATE_NETWORKS: 'true' });
    prisma = api.app.get(PrismaService);
    tenantPath = `/v1/tenants/${(await createTenant(api)).id}`;
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
    await receiver?.close();
    await db?.drop();
  });

  async function subscribe(url: string) {
    const ns = `egress${randomBytes(3).toString('hex')}`;
    const { body } = await api.http
      .post(`${tenantPath}/subscriptions`)
      .set(api.auth())
      .send({ url, eventTypes: [`${ns}.*`] })
      .expect(201);
    return { ns, secret: body.secret as string };
  }

  async function publishAndSettle(ns: string) {
    const event = (
      await api.http
        .post(`${tenantPath}/events`)
        .set(api.auth())
        .send({ type: `${ns}.sent`, data: { ns } })
        .expect(202)
    ).body;
    const [{ id }] = await prisma.delivery.findMany({ where: { eventId: event.id }, select: { id: true } });
    const delivery = await waitFor(
      async () => (await api.http.get(`${tenantPath}/deliveries/${id}`).set(api.auth()).expect(200)).body,
      (d) => d.status === 'dead' || d.status === 'succeeded',
      { timeoutMs: 15_000, what: `delivery ${id} to end` },
    );
    return { event, delivery };
  }

  it('refuses a destination that resolves to a private address before anything is sent to the proxy', async () => {
    worker = await startTestWorker({ ...env, EGRESS_PROXY_URL: proxy.url, ALLOW_PRIVATE_NETWORKS: 'false' });
    const logBefore = proxy.log().length;
    const { ns } = await subscribe(`http://localhost:${port}/hook`);

    const { delivery } = await publishAndSettle(ns);
    expect(delivery.status).toBe('dead');
    expect(delivery.attempts).toHaveLength(3);
    for (const attempt of delivery.attempts) expect(attempt).toMatchObject({ statusCode: null, error: expect.stringMatching(/^blocked address (127\.0\.0\.1|::1) \(loopback\)$/) });
    expect(proxy.log().slice(logBefore)).not.toMatch(/Connect \(file descriptor|CONNECT/);
    expect(receiver.requests.filter((r) => r.path === '/hook' && r.body.includes(ns))).toHaveLength(0);
  });

  it('sends the attempt through the proxy, tunnelled to the checked address: the receiver sees the proxy and a signed request for the name', async () => {
    worker = await startTestWorker({ ...env, EGRESS_PROXY_URL: proxy.url, ALLOW_PRIVATE_NETWORKS: 'true' });
    const logBefore = proxy.log().length;
    const { ns, secret } = await subscribe(`http://localhost:${port}/hook?via=proxy`);

    const { event, delivery } = await publishAndSettle(ns);
    expect(delivery.status).toBe('succeeded');
    const [request] = receiver.requests.filter((r) => r.headers['webhook-id'] === event.id);
    expect(request.remoteAddress).toBe('127.0.0.2');
    expect(request.path).toBe('/hook?via=proxy');
    expect(request.headers.host).toBe(`localhost:${port}`);
    const signed = {
      'webhook-id': event.id,
      'webhook-timestamp': request.headers['webhook-timestamp'] as string,
      'webhook-signature': request.headers['webhook-signature'] as string,
    };
    expect(new Webhook(secret).verify(request.body, signed)).toEqual(JSON.parse(request.body));

    // The proxy was asked for the address the worker resolved and checked, never for the name.
    const log = proxy.log().slice(logBefore);
    expect(log).toContain(`CONNECT 127.0.0.1:${port} HTTP/1.1`);
    expect(log).not.toContain('CONNECT localhost');
  });

  it('through the proxy, follows no redirect and keeps 4 KiB of the response', async () => {
    worker = await startTestWorker({ ...env, EGRESS_PROXY_URL: proxy.url, ALLOW_PRIVATE_NETWORKS: 'true' });
    const { ns } = await subscribe(`http://127.0.0.1:${port}/moved`);
    receiver.respondWith((request) => (request.path === '/moved' ? { status: 302, headers: { location: '/elsewhere' }, body: 'm'.repeat(10_000) } : { status: 200 }));
    try {
      const { delivery } = await publishAndSettle(ns);
      expect(delivery.status).toBe('dead');
      for (const attempt of delivery.attempts) expect(attempt).toMatchObject({ statusCode: 302, error: null, responseBody: 'm'.repeat(4096) });
      expect(receiver.requests.filter((r) => r.path === '/elsewhere')).toHaveLength(0);
      expect(receiver.requests.filter((r) => r.path === '/moved').every((r) => r.remoteAddress === '127.0.0.2')).toBe(true);
    } finally {
      receiver.respondWith(() => ({ status: 200 }));
    }
  });

  it('control: without EGRESS_PROXY_URL the worker connects to the receiver itself, from 127.0.0.1', async () => {
    worker = await startTestWorker({ ...env, ALLOW_PRIVATE_NETWORKS: 'true' });
    const logBefore = proxy.log().length;
    const { ns } = await subscribe(`http://localhost:${port}/hook`);
    const { event, delivery } = await publishAndSettle(ns);
    expect(delivery.status).toBe('succeeded');
    const [request] = receiver.requests.filter((r) => r.headers['webhook-id'] === event.id);
    expect(request.remoteAddress).toBe('127.0.0.1');
    expect(proxy.log().slice(logBefore)).not.toContain('CONNECT');
  });
});
