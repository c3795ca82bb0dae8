import { randomBytes } from 'node:crypto';
import { DeliveryQueues } from '@hookline/queue';
import type { TestApi } from '../../../../test/support';
import { createTenant, createTenantKey, startTestApi } from '../../../../test/support';
import { credentials } from './queue-dashboard';

const basic = (password: string, user = 'ops') => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('queue dashboard at /admin/queues', () => {
  let api: TestApi;
  let tenantKey: string;

  beforeAll(async () => {
    api = await startTestApi({ QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}` });
    const tenant = await createTenant(api);
    tenantKey = (await createTenantKey(api, tenant.id)).key;
  });
  afterAll(() => api?.close());

  it('refuses anyone but the admin', async () => {
    const anonymous = await api.http.get('/admin/queues').expect(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm="Hookline queues"/);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
    await api.http.get('/admin/queues').set(api.auth(tenantKey)).expect(403);
    await api.http.get('/admin/queues').set(basic(tenantKey)).expect(403);
    await api.http.get('/admin/queues/api/queues').set(api.auth(tenantKey)).expect(403);
    await api.http.get('/admin/queues').set(api.auth('hk_admin_wrong_key_0000000')).expect(401);
    await api.http.get('/admin/queues').set(basic('')).expect(401);
  });

  it('serves the board to the admin key, as Bearer or as the Basic password', async () => {
    const page = await api.http.get('/admin/queues').set(api.auth()).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    await api.http.get('/admin/queues').set(basic(api.adminKey)).expect(200);
    const queues = await api.http.get('/admin/queues/api/queues').set(basic(api.adminKey)).expect(200);
    const byName = Object.fromEntries(queues.body.queues.map((q: { name: string; readOnlyMode: boolean }) => [q.name, q.readOnlyMode]));
    // Every delivery shard, read-only: `deliveries` on a single Redis, `deliveries-<n>` with shards.
    const shards = api.app.get(DeliveryQueues).all.map((queue) => [queue.name, true]);
    expect(shards.length).toBeGreaterThan(0);
    expect(byName).toEqual({ ...Object.fromEntries(shards), replays: false, 'operator-events': false });
  });

  it('reads the key from Bearer or the Basic password', () => {
    expect(credentials('Bearer abc')).toBe('abc');
    expect(credentials(`Basic ${Buffer.from('x:a:b').toString('base64')}`)).toBe('a:b');
    expect(credentials(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeNull();
    expect(credentials('Digest x')).toBeNull();
  });
});
