import { createHash } from 'node:crypto';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { CurrentPrincipal, Principal } from '@hookline/auth';
import { PrismaService } from '@hookline/database';
import { createTenant, createTenantKey, startTestApi, TestApi, testConfig } from './support';
import { ApiModule } from '../apps/api/src/api.module';

const MISSING_TENANT = 'ten_01ARZ3NDEKTSV4RRFFQ69G5FAV';

/**
 * A tenant-scoped route open to tenant keys, mounted next to the real API: the guard's 404 for
 * another tenant is pinned here without depending on which feature routes exist yet.
 */
@Controller('v1/tenants/:tenantId/auth-probe')
class TenantProbeController {
  @Get()
  whoami(@Param('tenantId') tenantId: string, @CurrentPrincipal() principal: Principal) {
    return { tenantId, principal };
  }
}

async function startProbeApp(): Promise<NestFastifyApplication> {
  @Module({ imports: [ApiModule.forRoot(testConfig())], controllers: [TenantProbeController] })
  class ProbeModule {}
  const app = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

describe('authentication and tenant isolation', () => {
  let api: TestApi;
  let probeApp: NestFastifyApplication;
  let probe: ReturnType<typeof request>;
  let tenantA: { id: string };
  let tenantB: { id: string };
  let keyA: { id: string; key: string };
  let keyB: { id: string; key: string };
  const eventType = `auth${Date.now().toString(36)}.checked`;

  beforeAll(async () => {
    [api, probeApp] = await Promise.all([startTestApi(), startProbeApp()]);
    probe = request(await probeApp.getUrl());
    tenantA = await createTenant(api, 'auth A');
    tenantB = await createTenant(api, 'auth B');
    keyA = await createTenantKey(api, tenantA.id);
    keyB = await createTenantKey(api, tenantB.id);
    await api.http.post('/v1/event-types').set(api.auth()).send({ name: eventType, description: 'original' }).expect(201);
  });
  afterAll(() => Promise.all([api.close(), probeApp.close()]));

  describe('401 without a valid key', () => {
    const routes = () => ['/v1/tenants', '/v1/event-types', `/v1/tenants/${tenantA.id}/api-keys`, `/v1/event-types/${eventType}`];

    it.each([
      ['no Authorization header', undefined, 'Missing Authorization: Bearer <key>'],
      ['a Basic header', 'Basic YWRtaW46YWRtaW4=', 'Authorization must be "Bearer <key>"'],
      ['Bearer without a token', 'Bearer ', 'Authorization must be "Bearer <key>"'],
      ['two tokens', 'Bearer one two', 'Authorization must be "Bearer <key>"'],
      ['an unknown key', 'Bearer hk_not_a_key_anyone_was_given', 'Unknown or revoked API key'],
    ])('refuses %s', async (_, header, detail) => {
      for (const route of routes()) {
        const call = api.http.get(route);
        if (header !== undefined) call.set('authorization', header);
        const response = await call.expect(401);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(response.body).toMatchObject({ status: 401, title: 'Unauthorized', detail });
      }
    });

    it('refuses a revoked key on its very next request', async () => {
      const key = await createTenantKey(api, tenantA.id);
      await probe.get(`/v1/tenants/${tenantA.id}/auth-probe`).set(api.auth(key.key)).expect(200);
      await api.http.delete(`/v1/tenants/${tenantA.id}/api-keys/${key.id}`).set(api.auth()).expect(204);
      const refused = await probe.get(`/v1/tenants/${tenantA.id}/auth-probe`).set(api.auth(key.key)).expect(401);
      expect(refused.body).toMatchObject({ status: 401, detail: 'Unknown or revoked API key' });
    });

    it('leaves public routes open', async () => {
      await api.http.get('/healthz').expect(200);
    });
  });

  it('authenticates a tenant key created through the API as that tenant', async () => {
    const key = await createTenantKey(api, tenantA.id);
    const response = await probe.get(`/v1/tenants/${tenantA.id}/auth-probe`).set(api.auth(key.key)).expect(200);
    expect(response.body).toEqual({ tenantId: tenantA.id, principal: { kind: 'tenant', tenantId: tenantA.id, keyId: key.id } });
    await api.http.get('/v1/event-types').set(api.auth(key.key)).expect(200);
    await api.http.get(`/v1/event-types/${eventType}`).set(api.auth(key.key)).expect(200);
  });

  it('stores only the sha256 of a tenant key, never the key', async () => {
    const created = await api.http.post(`/v1/tenants/${tenantA.id}/api-keys`).set(api.auth()).send({ name: 'stored' }).expect(201);
    const rows = await api.app.get(PrismaService).$queryRaw<Record<string, unknown>[]>`SELECT * FROM api_keys WHERE id = ${created.body.id}`;
    expect(rows).toHaveLength(1);
    expect(rows[0].hash).toBe(createHash('sha256').update(created.body.key).digest('hex'));
    expect(rows[0].prefix).toBe(created.body.prefix);
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain(created.body.key);
    expect(stored).not.toContain(created.body.key.slice(created.body.prefix.length));
  });

  describe('403 for a tenant key on admin-only routes', () => {
    const adminOnlyRoutes = (): [method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: object][] => [
      ['post', '/v1/tenants', { name: 'sneaky' }],
      ['get', '/v1/tenants'],
      ['get', `/v1/tenants/${tenantA.id}`],
      ['patch', `/v1/tenants/${tenantA.id}`, { name: 'renamed' }],
      ['delete', `/v1/tenants/${tenantA.id}`],
      ['get', `/v1/tenants/${tenantB.id}`],
      ['post', `/v1/tenants/${tenantA.id}/api-keys`, { name: 'escalation' }],
      ['get', `/v1/tenants/${tenantA.id}/api-keys`],
      ['delete', `/v1/tenants/${tenantA.id}/api-keys/${keyA.id}`],
      ['delete', `/v1/tenants/${tenantB.id}/api-keys/${keyB.id}`],
      ['post', '/v1/event-types', { name: `${eventType}.sneaky` }],
      ['patch', `/v1/event-types/${eventType}`, { description: 'changed' }],
      ['delete', `/v1/event-types/${eventType}`],
    ];

    it('refuses every one and changes nothing', async () => {
      const prisma = api.app.get(PrismaService);
      const keysBefore = await prisma.apiKey.count({ where: { tenantId: tenantA.id } });
      for (const [method, path, body] of adminOnlyRoutes()) {
        const call = api.http[method](path).set(api.auth(keyA.key));
        const response = await (body ? call.send(body) : call);
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body).toMatchObject({ status: 403, title: 'Forbidden', detail: 'This route needs the admin API key' });
      }
      expect(await prisma.tenant.findUnique({ where: { id: tenantA.id } })).toMatchObject({ name: 'auth A' });
      expect(await prisma.tenant.count({ where: { name: 'sneaky' } })).toBe(0);
      expect(await prisma.apiKey.count({ where: { tenantId: tenantA.id } })).toBe(keysBefore);
      expect(await prisma.apiKey.count({ where: { id: { in: [keyA.id, keyB.id] }, revokedAt: null } })).toBe(2);
      expect(await prisma.eventType.findUnique({ where: { name: eventType } })).toMatchObject({ description: 'original' });
      expect(await prisma.eventType.count({ where: { name: `${eventType}.sneaky` } })).toBe(0);
    });
  });

  describe("404 outside the caller's tenant", () => {
    it("answers a tenant key on another tenant's routes exactly as on a tenant that does not exist", async () => {
      const other = await probe.get(`/v1/tenants/${tenantB.id}/auth-probe`).set(api.auth(keyA.key)).expect(404);
      const missing = await probe.get(`/v1/tenants/${MISSING_TENANT}/auth-probe`).set(api.auth(keyA.key)).expect(404);
      expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(other.body).toEqual(missing.body);
      expect(other.body).toMatchObject({ status: 404, detail: 'Tenant not found' });
      await probe.get(`/v1/tenants/${tenantB.id}/auth-probe`).set(api.auth(keyB.key)).expect(200);
    });

    it('answers the admin 404 on a tenant that does not exist, and writes nothing', async () => {
      const routes: [method: 'get' | 'post' | 'patch' | 'delete', path: string][] = [
        ['get', `/v1/tenants/${MISSING_TENANT}`],
        ['get', `/v1/tenants/${MISSING_TENANT}/api-keys`],
        ['post', `/v1/tenants/${MISSING_TENANT}/api-keys`],
        ['delete', `/v1/tenants/${MISSING_TENANT}/api-keys/${keyA.id}`],
        ['get', `/v1/tenants/${MISSING_TENANT}/auth-probe`],
      ];
      for (const [method, path] of routes) {
        const client = path.endsWith('auth-probe') ? probe : api.http;
        const response = await client[method](path).set(api.auth());
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
        expect(response.body).toMatchObject({ status: 404, detail: 'Tenant not found' });
      }
      expect(await api.app.get(PrismaService).apiKey.count({ where: { tenantId: MISSING_TENANT } })).toBe(0);
      await probe
        .get(`/v1/tenants/${tenantA.id}/auth-probe`)
        .set(api.auth())
        .expect(200, { tenantId: tenantA.id, principal: { kind: 'admin' } });
    });
  });
});
