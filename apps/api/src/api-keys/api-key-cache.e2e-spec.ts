import { ApiKeyCache, generateApiKey, generatePortalToken } from '@hookline/auth';
import { PrismaService } from '@hookline/database';
import { newId } from '@hookline/ids';
import { ChangeAnnouncer } from '@hookline/queue';
import type { TestApi } from '../../../../test/support';
import { createTenant, createTenantKey, startTestApi, waitUntil } from '../../../../test/support';

/**
 * Two API processes on one Postgres and one Redis, as behind a load balancer: a key that one of
 * them cached must stop working there the moment the other revokes it.
 */
describe('API key cache across API processes', () => {
  let a: TestApi;
  let b: TestApi;
  let prisma: PrismaService;

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApi(), startTestApi()]);
    prisma = a.app.get(PrismaService);
    await waitUntil('both key caches to subscribe', () => a.app.get(ApiKeyCache).live && b.app.get(ApiKeyCache).live);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  const use = (api: TestApi, key: string) => api.http.get('/v1/event-types').set(api.auth(key));
  /** Revoked in Postgres behind the API's back: only a process that reads the row sees it. */
  const revokeInDatabaseOnly = (keyId: string) => prisma.apiKey.updateMany({ where: { id: keyId }, data: { revokedAt: new Date() } });

  it('serves a live key from the cache, and drops it in every process when its tenant is announced', async () => {
    const tenant = await createTenant(a);
    const key = await createTenantKey(a, tenant.id);
    await use(b, key.key).expect(200);
    await revokeInDatabaseOnly(key.id);
    // Still cached in B: proof that B did not read the row again.
    await use(b, key.key).expect(200);

    await a.app.get(ChangeAnnouncer).announce(a.app.get(ApiKeyCache), tenant.id);
    const refused = await use(b, key.key).expect(401);
    expect(refused.body).toMatchObject({ status: 401, detail: 'Unknown or revoked API key' });
  });

  it('a key revoked through process A is refused at once by process B, with no wait', async () => {
    const tenant = await createTenant(a);
    const key = await createTenantKey(a, tenant.id);
    const other = await createTenantKey(a, tenant.id);
    await use(b, key.key).expect(200);
    await use(b, other.key).expect(200);
    await use(a, key.key).expect(200);

    await a.http.delete(`/v1/tenants/${tenant.id}/api-keys/${key.id}`).set(a.auth()).expect(204);
    await use(b, key.key).expect(401);
    await use(a, key.key).expect(401);
    // The tenant's other key is read again, and is still good.
    await use(b, other.key).expect(200);
  });

  it('deleting a tenant refuses its keys at once in every process', async () => {
    const tenant = await createTenant(a);
    const key = await createTenantKey(a, tenant.id);
    await use(b, key.key).expect(200);
    await b.http.post(`/v1/tenants/${tenant.id}/events`).set(b.auth(key.key)).send({ type: 'keycache.deleted.tenant', data: {} }).expect(202);

    await a.http.delete(`/v1/tenants/${tenant.id}`).set(a.auth()).expect(204);
    await use(b, key.key).expect(401);
    await b.http.post(`/v1/tenants/${tenant.id}/events`).set(b.auth(key.key)).send({ type: 'keycache.deleted.tenant', data: {} }).expect(401);
  });

  it('never remembers an unknown key: a key that appears right after a 401 works at once', async () => {
    const tenant = await createTenant(a);
    const { key, prefix, hash } = generateApiKey();
    await use(b, key).expect(401);
    await prisma.apiKey.create({ data: { id: newId('key'), tenantId: tenant.id, name: 'appears', prefix, hash } });
    await use(b, key).expect(200);
  });

  it('a portal session revoked through process A is refused at once by process B', async () => {
    const tenant = await createTenant(a);
    const session = (await a.http.post(`/v1/tenants/${tenant.id}/portal-sessions`).set(a.auth()).send({}).expect(201)).body as { id: string; token: string };
    await b.http.get(`/v1/tenants/${tenant.id}/subscriptions`).set(b.auth(session.token)).expect(200);
    await a.http.delete(`/v1/tenants/${tenant.id}/portal-sessions/${session.id}`).set(a.auth()).expect(204);
    const refused = await b.http.get(`/v1/tenants/${tenant.id}/subscriptions`).set(b.auth(session.token)).expect(401);
    expect(refused.body).toMatchObject({ status: 401, detail: 'Unknown, expired or revoked portal token' });
  });

  it('honours a portal token expiry to the moment, in a process that has just served it', async () => {
    const tenant = await createTenant(a);
    const { token, hash } = generatePortalToken();
    const expiresAt = new Date(Date.now() + 1_500);
    await prisma.portalSession.create({ data: { id: newId('pts'), tenantId: tenant.id, hash, readOnly: true, expiresAt } });
    await b.http.get(`/v1/tenants/${tenant.id}/subscriptions`).set(b.auth(token)).expect(200);
    await waitUntil('the portal token to expire', () => Date.now() > expiresAt.getTime());
    await b.http.get(`/v1/tenants/${tenant.id}/subscriptions`).set(b.auth(token)).expect(401);
  });

  it('records the first use of a cached key, and not again within the minute', async () => {
    const tenant = await createTenant(a);
    const key = await createTenantKey(a, tenant.id);
    await use(b, key.key).expect(200);
    const first = await prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(first.lastUsedAt).not.toBeNull();
    await use(b, key.key).expect(200);
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt).toEqual(first.lastUsedAt);
  });
});
