import { randomBytes } from 'node:crypto';
import type { TestApi } from '../../../../test/support';
import { createTenant, createTenantKey, startTestApi } from '../../../../test/support';

const LIMIT = 5;

describe('per API key rate limit', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ API_RATE_LIMIT_PER_SECOND: String(LIMIT), QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}` });
  });
  afterAll(() => api?.close());

  /** Waits for the start of a wall-clock second, so a burst falls into one window. */
  const nextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));

  it('answers 429 problem+json with Retry-After past the limit, per key, and lets the next second through', async () => {
    await nextSecond();
    const tenant = await createTenant(api);
    const key = await createTenantKey(api, tenant.id);
    await nextSecond();
    const burst = await Promise.all(Array.from({ length: 3 * LIMIT }, () => api.http.get(`/v1/tenants/${tenant.id}/subscriptions`).set(api.auth(key.key))));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(2 * LIMIT);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(LIMIT);
    const limited = burst.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(LIMIT);
    expect(limited[0].headers['retry-after']).toBe('1');
    expect(limited[0].headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited[0].body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);

    // Another key (here the admin's) has its own budget; health checks are not limited.
    await api.http.get('/v1/tenants?limit=1').set(api.auth()).expect(200);
    for (let i = 0; i < 2 * LIMIT; i++) await api.http.get('/healthz').expect(200);

    await new Promise((r) => setTimeout(r, 1_100));
    const later = await api.http.get(`/v1/tenants/${tenant.id}/subscriptions`).set(api.auth(key.key)).expect(200);
    expect(Number(later.headers['ratelimit-remaining'])).toBeLessThan(LIMIT);
  });
});
