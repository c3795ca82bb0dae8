import Redis from 'ioredis';
import type { AppConfig } from '@hookline/config';
import { APP_CONFIG } from '@hookline/config';
import { PrismaService } from '@hookline/database';
import { redisOptions, subscriptionChangesChannel } from '@hookline/queue';
import { ed25519PublicKeyFor } from '@hookline/signing';
import { SubscriptionSecretsService } from '@hookline/subscriptions';
import type { TestApi } from '../../../../test/support';
import { createTenant, createTenantKey, startTestApi } from '../../../../test/support';
import { createSubscription, deliveryStatuses, insertDeliveries, RECEIVER_URL, subscriptionsOf } from './subscription-test-helpers';

const VIEW_FIELDS = [
  'createdAt',
  'description',
  'disabledReason',
  'eventTypes',
  'headers',
  'id',
  'metadata',
  'rateLimitPerSecond',
  'signatureScheme',
  'status',
  'tenantId',
  'updatedAt',
  'url',
];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type Page = { data: { id: string; status: string }[]; nextCursor: string | null };

describe('subscriptions', () => {
  let api: TestApi;
  let prisma: PrismaService;
  beforeAll(async () => {
    api = await startTestApi();
    prisma = api.app.get(PrismaService);
  });
  afterAll(() => api.close());

  it('creates with defaults and a generated secret, then shows the subscription without it', async () => {
    const tenant = await createTenant(api);
    const created = await api.http.post(subscriptionsOf(tenant.id)).set(api.auth()).send({ url: RECEIVER_URL }).expect(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(Object.keys(created.body).sort()).toEqual([...VIEW_FIELDS, 'secret'].sort());
    expect(created.body).toEqual({
      id: expect.stringMatching(/^sub_[0-9A-Z]{26}$/),
      tenantId: tenant.id,
      url: RECEIVER_URL,
      description: null,
      eventTypes: [],
      headers: {},
      rateLimitPerSecond: null,
      metadata: null,
      signatureScheme: 'v1',
      status: 'active',
      disabledReason: null,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(32);

    const { secret, ...view } = created.body;
    await api.http
      .get(`${subscriptionsOf(tenant.id)}/${view.id}`)
      .set(api.auth())
      .expect(200, view);
    await api.http
      .get(`${subscriptionsOf(tenant.id)}/${view.id}/secret`)
      .set(api.auth())
      .expect(200, { secret });
  });

  it('creates with every field and a caller-chosen secret, with a tenant key', async () => {
    const tenant = await createTenant(api);
    const { key } = await createTenantKey(api, tenant.id);
    const body = {
      url: 'https://127.0.0.1:8443/webhooks?source=hookline',
      eventTypes: ['invoice.paid', 'customer.*'],
      description: 'Billing endpoint',
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      headers: { 'X-Api-Key': 'abc123', Authorization: 'Bearer t' },
      rateLimitPerSecond: 25,
      metadata: { team: 'billing', nested: { a: [1, 2] } },
    };
    const created = await api.http.post(subscriptionsOf(tenant.id)).set(api.auth(key)).send(body).expect(201);
    const { secret, ...expected } = body;
    expect(created.body).toEqual({
      ...expected,
      secret,
      id: expect.any(String),
      tenantId: tenant.id,
      signatureScheme: 'v1',
      status: 'active',
      disabledReason: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    await api.http
      .get(`${subscriptionsOf(tenant.id)}/${created.body.id}/secret`)
      .set(api.auth(key))
      .expect(200, { secret });
  });

  it('updates only the fields given, and null clears the optional ones', async () => {
    const tenant = await createTenant(api);
    const sub = await createSubscription(api, tenant.id, { description: 'old', rateLimitPerSecond: 5, metadata: { a: 1 }, eventTypes: ['a.b'], headers: { 'x-a': '1' } });
    const path = `${subscriptionsOf(tenant.id)}/${sub.id}`;

    const patched = await api.http
      .patch(path)
      .set(api.auth())
      .send({ url: 'http://127.0.0.1:10/new', eventTypes: [], headers: { 'x-b': '2' } })
      .expect(200);
    expect(patched.body).toEqual({ ...withoutSecret(sub), url: 'http://127.0.0.1:10/new', eventTypes: [], headers: { 'x-b': '2' }, updatedAt: expect.stringMatching(ISO) });

    const cleared = await api.http.patch(path).set(api.auth()).send({ description: null, rateLimitPerSecond: null, metadata: null }).expect(200);
    expect(cleared.body).toMatchObject({ description: null, rateLimitPerSecond: null, metadata: null, url: 'http://127.0.0.1:10/new', headers: { 'x-b': '2' } });
    await api.http.get(path).set(api.auth()).expect(200, cleared.body);

    const unchanged = await api.http.patch(path).set(api.auth()).send({}).expect(200);
    expect(withoutTimes(unchanged.body)).toEqual(withoutTimes(cleared.body));
  });

  it('lists newest first, filters by status, and walks every row exactly once', async () => {
    const tenant = await createTenant(api);
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await createSubscription(api, tenant.id)).id);
    await api.http
      .post(`${subscriptionsOf(tenant.id)}/${made[2]}/disable`)
      .set(api.auth())
      .expect(200);
    await api.http
      .post(`${subscriptionsOf(tenant.id)}/${made[5]}/disable`)
      .set(api.auth())
      .expect(200);
    await api.http
      .delete(`${subscriptionsOf(tenant.id)}/${made[6]}`)
      .set(api.auth())
      .expect(204);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Page } = await api.http
        .get(subscriptionsOf(tenant.id))
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(api.auth())
        .expect(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      for (const row of page.body.data) expect(Object.keys(row).sort()).toEqual(VIEW_FIELDS);
      seen.push(...page.body.data.map((row) => row.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(made.slice(0, 6).reverse());

    const disabled = await api.http.get(subscriptionsOf(tenant.id)).query({ status: 'disabled' }).set(api.auth()).expect(200);
    expect(disabled.body).toEqual({ data: [expect.objectContaining({ id: made[5] }), expect.objectContaining({ id: made[2] })], nextCursor: null });
    const active = await api.http.get(subscriptionsOf(tenant.id)).query({ status: 'active' }).set(api.auth()).expect(200);
    expect(active.body.data.map((row: { id: string }) => row.id)).toEqual([made[4], made[3], made[1], made[0]]);
  });

  it('disables by hand and enables again, cancelling open deliveries on disable', async () => {
    const tenant = await createTenant(api);
    const sub = await createSubscription(api, tenant.id);
    const path = `${subscriptionsOf(tenant.id)}/${sub.id}`;
    const deliveries = await insertDeliveries(prisma, tenant.id, sub.id);

    const disabled = await api.http.post(`${path}/disable`).set(api.auth()).expect(200);
    expect(disabled.body).toEqual({ ...withoutSecret(sub), status: 'disabled', disabledReason: 'manual', updatedAt: expect.stringMatching(ISO) });
    expect(await deliveryStatuses(prisma, deliveries)).toEqual({ pending: 'cancelled', failed: 'cancelled', succeeded: 'succeeded', dead: 'dead' });

    await prisma.subscription.update({ where: { id: sub.id }, data: { disabledReason: 'failing' } });
    const enabled = await api.http.post(`${path}/enable`).set(api.auth()).expect(200);
    expect(enabled.body).toEqual({ ...withoutSecret(sub), status: 'active', disabledReason: null, updatedAt: expect.stringMatching(ISO) });
    await api.http.get(path).set(api.auth()).expect(200, enabled.body);
    expect(await prisma.subscription.findUniqueOrThrow({ where: { id: sub.id }, select: { disabledAt: true } })).toEqual({ disabledAt: null });
  });

  it('deletes softly: cancels open deliveries, keeps history, and answers 404 everywhere afterwards', async () => {
    const tenant = await createTenant(api);
    const sub = await createSubscription(api, tenant.id);
    const path = `${subscriptionsOf(tenant.id)}/${sub.id}`;
    const deliveries = await insertDeliveries(prisma, tenant.id, sub.id);

    const deleted = await api.http.delete(path).set(api.auth()).expect(204);
    expect(deleted.text).toBe('');
    expect(await deliveryStatuses(prisma, deliveries)).toEqual({ pending: 'cancelled', failed: 'cancelled', succeeded: 'succeeded', dead: 'dead' });
    expect(await prisma.subscription.findUniqueOrThrow({ where: { id: sub.id }, select: { deletedAt: true } })).toEqual({ deletedAt: expect.any(Date) });

    for (const [method, suffix] of everyRoute) {
      const response = await api.http[method](`${path}${suffix}`)
        .set(api.auth())
        .send(method === 'patch' ? { description: 'x' } : undefined);
      expect([method, suffix, response.status, response.body.detail]).toEqual([method, suffix, 404, 'Subscription not found']);
    }
    const listed = await api.http.get(subscriptionsOf(tenant.id)).set(api.auth()).expect(200);
    expect(listed.body).toEqual({ data: [], nextCursor: null });
  });

  it("hides another tenant's subscriptions from a tenant key on every route", async () => {
    const [tenantA, tenantB] = [await createTenant(api), await createTenant(api)];
    const { key: keyA } = await createTenantKey(api, tenantA.id);
    const subB = await createSubscription(api, tenantB.id);
    const before = await api.http
      .get(`${subscriptionsOf(tenantB.id)}/${subB.id}`)
      .set(api.auth())
      .expect(200);

    for (const [method, suffix] of everyRoute) {
      for (const tenantId of [tenantB.id, tenantA.id]) {
        const response = await api.http[method](`${subscriptionsOf(tenantId)}/${subB.id}${suffix}`)
          .set(api.auth(keyA))
          .send(method === 'patch' ? { description: 'x' } : undefined);
        expect([method, suffix, tenantId, response.status]).toEqual([method, suffix, tenantId, 404]);
      }
    }
    await api.http.get(subscriptionsOf(tenantB.id)).set(api.auth(keyA)).expect(404);
    await api.http.post(subscriptionsOf(tenantB.id)).set(api.auth(keyA)).send({ url: RECEIVER_URL }).expect(404);
    const listedByA = await api.http.get(subscriptionsOf(tenantA.id)).set(api.auth(keyA)).expect(200);
    expect(listedByA.body).toEqual({ data: [], nextCursor: null });

    await api.http
      .get(`${subscriptionsOf(tenantB.id)}/${subB.id}`)
      .set(api.auth())
      .expect(200, before.body);
    expect(await prisma.subscriptionSecret.count({ where: { subscriptionId: subB.id } })).toBe(1);
  });

  it('never shows the secret except on creation, /secret and rotation', async () => {
    const tenant = await createTenant(api);
    const sub = await createSubscription(api, tenant.id);
    const secretPart = sub.secret!.slice('whsec_'.length);
    const path = `${subscriptionsOf(tenant.id)}/${sub.id}`;
    const responses = [
      await api.http.get(path).set(api.auth()).expect(200),
      await api.http.get(subscriptionsOf(tenant.id)).set(api.auth()).expect(200),
      await api.http.patch(path).set(api.auth()).send({ description: 'd' }).expect(200),
      await api.http.post(`${path}/disable`).set(api.auth()).expect(200),
      await api.http.post(`${path}/enable`).set(api.auth()).expect(200),
    ];
    for (const response of responses) {
      expect(response.text).not.toContain(secretPart);
      expect(response.text).not.toContain('whsec_');
    }
  });

  it('announces every change on Redis so workers drop their cached copy', async () => {
    const config = api.app.get<AppConfig>(APP_CONFIG);
    const subscriber = new Redis(redisOptions(config.REDIS_URL));
    try {
      const tenant = await createTenant(api);
      const sub = await createSubscription(api, tenant.id);
      const announced: string[] = [];
      subscriber.on('message', (_channel: string, id: string) => announced.push(id));
      await subscriber.subscribe(subscriptionChangesChannel(config.QUEUE_PREFIX));
      const path = `${subscriptionsOf(tenant.id)}/${sub.id}`;
      await api.http.patch(path).set(api.auth()).send({ description: 'd' }).expect(200);
      await api.http.post(`${path}/rotate-secret`).set(api.auth()).send({}).expect(200);
      await api.http.post(`${path}/disable`).set(api.auth()).expect(200);
      await api.http.post(`${path}/enable`).set(api.auth()).expect(200);
      await api.http.delete(path).set(api.auth()).expect(204);
      await waitFor(() => announced.filter((id) => id === sub.id).length >= 5);
      expect(announced.filter((id) => id === sub.id)).toHaveLength(5);
    } finally {
      subscriber.disconnect();
    }
  });

  it('creates a v1a subscription with an Ed25519 key pair and shows only the public key', async () => {
    const tenant = await createTenant(api);
    const created = await api.http.post(subscriptionsOf(tenant.id)).set(api.auth()).send({ url: RECEIVER_URL, signatureScheme: 'v1a' }).expect(201);
    expect(Object.keys(created.body).sort()).toEqual([...VIEW_FIELDS, 'publicKey'].sort());
    expect(created.body).toMatchObject({ signatureScheme: 'v1a', publicKey: expect.stringMatching(/^whpk_[A-Za-z0-9+/]{43}=$/) });
    const path = `${subscriptionsOf(tenant.id)}/${created.body.id}`;
    await api.http.get(`${path}/secret`).set(api.auth()).expect(200, { publicKey: created.body.publicKey });

    const live = await api.app.get(SubscriptionSecretsService).liveSigningSecrets(created.body.id);
    expect(live).toEqual([expect.stringMatching(/^whsk_[A-Za-z0-9+/]{43}=$/)]);
    expect(ed25519PublicKeyFor(live[0])).toBe(created.body.publicKey);

    const rotated = await api.http.post(`${path}/rotate-secret`).set(api.auth()).send({}).expect(200);
    expect(rotated.body).toEqual({ publicKey: expect.stringMatching(/^whpk_/) });
    expect(rotated.body.publicKey).not.toBe(created.body.publicKey);
    await api.http.get(`${path}/secret`).set(api.auth()).expect(200, rotated.body);
    const afterRotation = await api.app.get(SubscriptionSecretsService).liveSigningSecrets(created.body.id);
    expect(afterRotation.map(ed25519PublicKeyFor)).toEqual([rotated.body.publicKey, created.body.publicKey]);
  });
});

const everyRoute: ['get' | 'patch' | 'delete' | 'post', string][] = [
  ['get', ''],
  ['patch', ''],
  ['get', '/secret'],
  ['post', '/rotate-secret'],
  ['post', '/enable'],
  ['post', '/disable'],
  ['delete', ''],
];

function withoutSecret(sub: Record<string, unknown>) {
  const { secret: _secret, ...view } = sub;
  return view;
}

function withoutTimes(view: Record<string, unknown>) {
  const { updatedAt: _updatedAt, ...rest } = view;
  return rest;
}

async function waitFor(condition: () => boolean, timeoutMs = 2_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
