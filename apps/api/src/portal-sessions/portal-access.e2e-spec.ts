import { status as grpcStatus } from '@grpc/grpc-js';
import { PrismaService } from '@hookline/database';
import { createTenant, createTenantKey, startTestApi, TestApi } from '@hookline/testing';
import { grpcClient, grpcError, json, publish } from '../grpc/grpc-test-client';
import { createSubscription } from '../subscriptions/subscription-test-helpers';

/**
 * What a portal token may do, route by route: its own tenant's customer routes (and, read-only,
 * only their GETs); everything else answers as for a tenant key without that right.
 */
describe('portal token access', () => {
  let api: TestApi;
  let prisma: PrismaService;
  let own: Fixture;
  let other: Fixture;
  const eventType = `portal.access.${Date.now()}`;

  interface Fixture {
    tenantId: string;
    subscriptionId: string;
    spareSubscriptionId: string;
    eventId: string;
    deliveryId: string;
  }

  async function fixture(): Promise<Fixture> {
    const tenant = await createTenant(api);
    const subscription = await createSubscription(api, tenant.id);
    const spare = await createSubscription(api, tenant.id);
    const event = await api.http.post(`/v1/tenants/${tenant.id}/events`).set(api.auth()).send({ type: eventType, data: { n: 1 } }).expect(202);
    const delivery = await prisma.delivery.findFirstOrThrow({ where: { eventId: event.body.id, subscriptionId: subscription.id } });
    return { tenantId: tenant.id, subscriptionId: subscription.id, spareSubscriptionId: spare.id, eventId: event.body.id, deliveryId: delivery.id };
  }

  async function mint(tenantId: string, body: object = {}, key?: string): Promise<{ id: string; token: string }> {
    return (await api.http.post(`/v1/tenants/${tenantId}/portal-sessions`).set(api.auth(key)).send(body).expect(201)).body;
  }

  beforeAll(async () => {
    api = await startTestApi();
    prisma = api.app.get(PrismaService);
    await api.http.post('/v1/event-types').set(api.auth()).send({ name: eventType }).expect(201);
    own = await fixture();
    other = await fixture();
  });
  afterAll(() => api.close());

  type Method = 'get' | 'post' | 'patch' | 'delete';
  /** A route, the status a full portal token gets on its own tenant, and the body to send. */
  type Route = [Method, (f: Fixture) => string, number, object?];
  const t = (f: Fixture) => `/v1/tenants/${f.tenantId}`;
  const sub = (f: Fixture) => `${t(f)}/subscriptions/${f.subscriptionId}`;
  const since = new Date(Date.now() - 3_600_000).toISOString();

  // In order: the writes that succeed leave the fixture as the next row needs it.
  const tenantRoutes: Route[] = [
    ['get', (f) => `${t(f)}/subscriptions`, 200],
    ['post', (f) => `${t(f)}/subscriptions`, 201, { url: 'http://127.0.0.1:9/hook' }],
    ['get', sub, 200],
    ['patch', sub, 200, { description: 'from the portal' }],
    ['get', (f) => `${sub(f)}/secret`, 200],
    ['post', (f) => `${sub(f)}/rotate-secret`, 200, {}],
    ['post', (f) => `${sub(f)}/test`, 202, {}],
    ['post', (f) => `${sub(f)}/recover`, 202, { since }],
    ['post', (f) => `${sub(f)}/disable`, 200],
    ['post', (f) => `${sub(f)}/enable`, 200],
    ['delete', (f) => `${t(f)}/subscriptions/${f.spareSubscriptionId}`, 204],
    ['get', (f) => `${t(f)}/events`, 200],
    ['get', (f) => `${t(f)}/events/${f.eventId}`, 200],
    ['post', (f) => `${t(f)}/events`, 403, { type: eventType, data: {} }],
    ['get', (f) => `${t(f)}/deliveries`, 200],
    ['get', (f) => `${t(f)}/deliveries/${f.deliveryId}`, 200],
    ['post', (f) => `${t(f)}/deliveries/${f.deliveryId}/replay`, 202],
    ['get', (f) => `${t(f)}/feed`, 403],
    ['post', (f) => `${t(f)}/bulk-jobs`, 403],
    ['get', (f) => `${t(f)}/bulk-jobs/job_01ARZ3NDEKTSV4RRFFQ69G5FAV`, 403],
    ['get', (f) => `${t(f)}/portal-sessions`, 403],
    ['post', (f) => `${t(f)}/portal-sessions`, 403, {}],
    ['delete', (f) => `${t(f)}/portal-sessions/pts_01ARZ3NDEKTSV4RRFFQ69G5FAV`, 403],
  ];
  /** Admin-only routes: 403 for a portal token whichever tenant they name, as for a tenant key. */
  const adminRoutes: Route[] = [
    ['get', (f) => `${t(f)}/api-keys`, 403],
    ['post', (f) => `${t(f)}/api-keys`, 403, {}],
    ['delete', (f) => `${t(f)}/api-keys/key_01ARZ3NDEKTSV4RRFFQ69G5FAV`, 403],
    ['get', t, 403],
    ['patch', t, 403, { name: 'mine now' }],
    ['delete', t, 403],
    ['get', () => '/v1/tenants', 403],
    ['post', () => '/v1/tenants', 403, { name: 'x' }],
    ['post', () => '/v1/event-types', 403, { name: 'portal.made' }],
    ['patch', () => `/v1/event-types/${eventType}`, 403, { description: 'x' }],
    ['delete', () => `/v1/event-types/${eventType}`, 403],
    ['get', () => '/v1/dead-letters', 403],
    ['get', () => '/v1/replays', 403],
    ['post', () => '/v1/replays', 403, {}],
    ['get', () => '/v1/stats', 403],
  ];
  const sharedReads: Route[] = [
    ['get', () => '/v1/event-types', 200],
    ['get', () => `/v1/event-types/${eventType}`, 200],
    ['get', () => '/v1/auth/whoami', 200],
  ];

  const call = (token: string, [method, path, , body]: Route, f: Fixture) => {
    const request = api.http[method](path(f)).set(api.auth(token));
    return body === undefined ? request : request.send(body);
  };
  const label = ([method, path]: Route, f: Fixture) => `${method.toUpperCase()} ${path(f)}`;

  it('opens its own tenant\'s customer routes and refuses the rest with 403', async () => {
    const { token } = await mint(own.tenantId);
    const seen: string[] = [];
    for (const route of [...tenantRoutes, ...adminRoutes, ...sharedReads]) {
      const response = await call(token, route, own);
      seen.push(`${label(route, own)} ${response.status}`);
      if (response.status >= 400) expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(seen).toEqual([...tenantRoutes, ...adminRoutes, ...sharedReads].map((route) => `${label(route, own)} ${route[2]}`));
  });

  it('answers 404 on another tenant\'s routes, as for a tenant key', async () => {
    const { token } = await mint(own.tenantId);
    const tenantKey = await createTenantKey(api, own.tenantId);
    for (const route of tenantRoutes) {
      const portal = await call(token, route, other);
      const keyed = await call(tenantKey.key, route, other);
      expect(`${label(route, other)} ${portal.status}`).toBe(`${label(route, other)} 404`);
      expect(keyed.status).toBe(404);
    }
  });

  it('gives a read-only token every read and 403 on every write', async () => {
    const fresh = await fixture();
    const { token } = await mint(fresh.tenantId, { readOnly: true });
    const before = await prisma.subscription.findUniqueOrThrow({ where: { id: fresh.subscriptionId } });
    for (const route of [...tenantRoutes, ...adminRoutes, ...sharedReads]) {
      const response = await call(token, route, fresh);
      const expected = route[0] === 'get' ? route[2] : 403;
      expect(`${label(route, fresh)} ${response.status}`).toBe(`${label(route, fresh)} ${expected}`);
    }
    const after = await prisma.subscription.findUniqueOrThrow({ where: { id: fresh.subscriptionId } });
    expect(after).toEqual(before);
    expect(await prisma.subscription.count({ where: { tenantId: fresh.tenantId, deletedAt: null } })).toBe(2);
  });

  it('refuses an expired token and a revoked one at once with 401', async () => {
    const expiring = await mint(own.tenantId, { expiresInSeconds: 60 });
    const revoked = await mint(own.tenantId);
    await api.http.get(`/v1/tenants/${own.tenantId}/subscriptions`).set(api.auth(expiring.token)).expect(200);
    await api.http.get(`/v1/tenants/${own.tenantId}/subscriptions`).set(api.auth(revoked.token)).expect(200);

    await prisma.portalSession.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    await api.http.delete(`/v1/tenants/${own.tenantId}/portal-sessions/${revoked.id}`).set(api.auth()).expect(204);
    for (const token of [expiring.token, revoked.token]) {
      const refused = await api.http.get(`/v1/tenants/${own.tenantId}/subscriptions`).set(api.auth(token)).expect(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer');
      expect(refused.body).toMatchObject({ status: 401, detail: 'Unknown, expired or revoked portal token' });
      await api.http.get('/v1/auth/whoami').set(api.auth(token)).expect(401);
    }
    await api.http.get('/v1/auth/whoami').set(api.auth('hkp_not-a-token')).expect(401);
  });

  it('cannot publish over gRPC', async () => {
    const { token } = await mint(own.tenantId);
    const client = grpcClient(api.app);
    try {
      const error = await grpcError(publish(client, { tenant_id: own.tenantId, type: eventType, data_json: json({}) }, token), grpcStatus.PERMISSION_DENIED);
      expect(error.details).toMatch(/portal token/);
    } finally {
      client.close();
    }
  });
});
