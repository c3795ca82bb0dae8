import { ApiKeyCache } from '@hookline/auth';
import { PrismaService } from '@hookline/database';
import { FailOpen } from '@hookline/queue';
import type { TestApi } from '../../../../test/support';
import { createTenant, createTenantKey, DisposableRedis, startTestApi, waitUntil } from '../../../../test/support';

/** Without its Redis subscription an API process cannot hear of revocations: it must not use its cache at all. */
describe('API key cache while Redis is away', () => {
  let redis: DisposableRedis;
  let a: TestApi;
  let b: TestApi;
  let prisma: PrismaService;

  beforeAll(async () => {
    redis = await DisposableRedis.start();
    [a, b] = await Promise.all([startTestApi({ REDIS_URL: redis.url }), startTestApi({ REDIS_URL: redis.url })]);
    prisma = a.app.get(PrismaService);
    await waitUntil('both key caches to subscribe', () => a.app.get(ApiKeyCache).live && b.app.get(ApiKeyCache).live);
  });
  afterAll(() => redis?.closeWith(a, b), 60_000);

  const use = (api: TestApi, key: string) => api.http.get('/v1/event-types').set(api.auth(key));
  const revokeInDatabaseOnly = (keyId: string) => prisma.apiKey.updateMany({ where: { id: keyId }, data: { revokedAt: new Date() } });

  it('looks every key up while unsubscribed, refuses a revoked key at once, and caches again once subscribed', async () => {
    const tenant = await createTenant(a);
    const [cachedBefore, revokedDuring, revokedInDatabase] = [await createTenantKey(a, tenant.id), await createTenantKey(a, tenant.id), await createTenantKey(a, tenant.id)];
    for (const key of [cachedBefore, revokedDuring, revokedInDatabase]) await use(b, key.key).expect(200);
    const cacheB = b.app.get(ApiKeyCache);
    expect(cacheB.size).toBe(3);

    await redis.down();
    await waitUntil('B to notice its subscription is gone', () => !cacheB.live, 15_000);
    expect(cacheB.size).toBe(0);

    // Revoked through A, whose announcement cannot go out: B refuses it anyway, since it reads the row.
    await a.http.delete(`/v1/tenants/${tenant.id}/api-keys/${revokedDuring.id}`).set(a.auth()).expect(204);
    expect(a.app.get(FailOpen).total('api_key_cache_invalidation')).toBeGreaterThanOrEqual(1);
    await use(b, revokedDuring.key).expect(401);
    // Even a change no one announces is seen at once: nothing is served from the cache.
    await use(b, revokedInDatabase.key).expect(200);
    await revokeInDatabaseOnly(revokedInDatabase.id);
    await use(b, revokedInDatabase.key).expect(401);
    await use(b, cachedBefore.key).expect(200);
    expect(cacheB.size).toBe(0);

    await redis.up();
    await waitUntil('B to subscribe again', () => cacheB.live, 15_000);
    // Subscribed again, B starts from an empty cache and fills it.
    await use(b, cachedBefore.key).expect(200);
    expect(cacheB.size).toBe(1);
    await revokeInDatabaseOnly(cachedBefore.id);
    await use(b, cachedBefore.key).expect(200);
  }, 60_000);
});
