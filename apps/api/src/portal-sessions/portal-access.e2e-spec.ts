import { status as grpcStatus } from '@grpc/grpc-js';
import { PrismaService } from '@hookline/database';
import type { TestApi } from '../../../../test/support';
import { createTenant, createTenantKey, startTestApi } from '../../../../test/support';
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
    const event = await api.http
      .post(`/v1/tenants/${tenant.id}/events`)
      .set(api.auth())
      .send({ type: eventType, data: { n: 1 } })
      .expect(202);
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

  it("opens its own tenant's customer routes and refuses the rest with 403", async () => {
    const { token } = await mint(own.tenantId);
    const seen: string[] = [];
    for (const route of [...tenantRoutes, ...adminRoutes, ...sharedReads]) {
      const response = await call(token, route, own);
      seen.push(`${label(route, own)} ${response.status}`);
      if (response.status >= 400) expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(seen).toEqual([...tenantRoutes, ...adminRoutes, ...sharedReads].map((route) => `${label(route, own)} ${route[2]}`));
  });

  it("answers 404 on another tenant's routes, as for a tenant key", async () => {
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

  /** Every route a portal token may use; any other route in the API document must refuse it. */
  const PORTAL_ROUTES = [
    'GET /v1/auth/whoami',
    'GET /v1/egress-ips',
    'GET /v1/event-types',
    'GET /v1/event-types/{name}',
    'GET /v1/tenants/{tenantId}/deliveries',
    'GET /v1/tenants/{tenantId}/deliveries/{deliveryId}',
    'POST /v1/tenants/{tenantId}/deliveries/{deliveryId}/replay',
    'GET /v1/tenants/{tenantId}/events',
    'GET /v1/tenants/{tenantId}/events/{eventId}',
    'GET /v1/tenants/{tenantId}/replays',
    'GET /v1/tenants/{tenantId}/replays/{replayId}',
    'GET /v1/tenants/{tenantId}/stats/series',
    'GET /v1/tenants/{tenantId}/subscriptions',
    'POST /v1/tenants/{tenantId}/subscriptions',
    'DELETE /v1/tenants/{tenantId}/subscriptions/{subscriptionId}',
    'GET /v1/tenants/{tenantId}/subscriptions/{subscriptionId}',
    'PATCH /v1/tenants/{tenantId}/subscriptions/{subscriptionId}',
    'POST /v1/tenants/{tenantId}/subscriptions/{subscriptionId}/disable',
    'POST /v1/tenants/{tenantId}/subscriptions/{subscriptionId}/enable',
    'POST /v1/tenants/{tenantId}/subscriptions/{subscriptionId}/recover',
    'POST /v1/tenants/{tenantId}/subscriptions/{subscriptionId}/rotate-secret',
    'GET /v1/tenants/{tenantId}/subscriptions/{subscriptionId}/secret',
    'POST /v1/tenants/{tenantId}/subscriptions/{subscriptionId}/test',
  ];
  /** Never ends while the client reads it: covered by its own test. */
  const STREAMS = ['GET /v1/tenants/{tenantId}/deliveries/stream'];

  it('opens exactly the listed routes of the API document, so a new route stays closed until it opts in', async () => {
    const fresh = await fixture();
    const { token } = await mint(fresh.tenantId, { readOnly: true });
    const document = (await api.http.get('/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const opened: string[] = [];
    for (const [template, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) {
        const route = `${method.toUpperCase()} ${template}`;
        if (STREAMS.includes(route)) continue;
        const path = template.replace('{tenantId}', fresh.tenantId).replace(/\{[^}]+\}/g, 'unknown_id');
        const response = await api.http[method as Method](path).set(api.auth(token));
        // A read-only token: a route open to portal tokens answers its reads and refuses its writes as read-only.
        if (response.status !== 403 || response.body.detail === 'This portal link is read-only') opened.push(route);
        else
          expect([`${route}: A portal token cannot use this route; it needs an API key`, `${route}: This route needs the admin API key`]).toContain(
            `${route}: ${response.body.detail}`,
          );
      }
    }
    expect(opened.sort()).toEqual([...PORTAL_ROUTES].sort());
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
