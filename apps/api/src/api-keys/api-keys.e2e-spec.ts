import { PrismaService } from '@hookline/database';
import type { TestApi } from '../../../../test/support';
import { createTenant, createTenantKey, startTestApi } from '../../../../test/support';

type KeyPage = { data: Record<string, unknown>[]; nextCursor: string | null };

describe('api keys', () => {
  let api: TestApi;
  let prisma: PrismaService;
  beforeAll(async () => {
    api = await startTestApi();
    prisma = api.app.get(PrismaService);
  });
  afterAll(() => api.close());

  const keysOf = (tenantId: string) => `/v1/tenants/${tenantId}/api-keys`;
  const listAll = async (tenantId: string) => (await api.http.get(keysOf(tenantId)).query({ limit: 100 }).set(api.auth()).expect(200)).body as KeyPage;

  it('creates a key, shows it once, lists it without secrets and revokes it', async () => {
    const tenant = await createTenant(api);
    const created = await api.http.post(keysOf(tenant.id)).set(api.auth()).send({ name: 'ci' }).expect(201);
    expect(Object.keys(created.body).sort()).toEqual(['createdAt', 'id', 'key', 'name', 'prefix']);
    expect(created.body).toMatchObject({ name: 'ci', id: expect.stringMatching(/^key_[0-9A-Z]{26}$/), key: expect.stringMatching(/^hk_[A-Za-z0-9_-]{43}$/) });
    expect(created.body.key.startsWith(created.body.prefix)).toBe(true);
    expect(created.body.prefix.length).toBeLessThan(created.body.key.length / 2);
    expect(new Date(created.body.createdAt).toISOString()).toBe(created.body.createdAt);
    expect(created.headers['cache-control']).toBe('no-store');

    const listed = await api.http.get(keysOf(tenant.id)).set(api.auth()).expect(200);
    expect(listed.body).toEqual({
      data: [{ id: created.body.id, name: 'ci', prefix: created.body.prefix, createdAt: created.body.createdAt, lastUsedAt: null }],
      nextCursor: null,
    });
    expect(listed.text).not.toContain(created.body.key);

    await api.http
      .delete(`${keysOf(tenant.id)}/${created.body.id}`)
      .set(api.auth())
      .expect(204, '');
    expect(await listAll(tenant.id)).toEqual({ data: [], nextCursor: null });
    const again = await api.http
      .delete(`${keysOf(tenant.id)}/${created.body.id}`)
      .set(api.auth())
      .expect(404);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.body).toMatchObject({ status: 404, detail: 'Api key not found' });
  });

  it('accepts a request without a body or name', async () => {
    const tenant = await createTenant(api);
    const bare = await api.http.post(keysOf(tenant.id)).set(api.auth()).expect(201);
    expect(bare.body).toMatchObject({ name: null, key: expect.stringMatching(/^hk_/) });
    const empty = await api.http.post(keysOf(tenant.id)).set(api.auth()).send({}).expect(201);
    expect(empty.body.name).toBeNull();
    expect((await listAll(tenant.id)).data.map((k) => k.id)).toEqual([empty.body.id, bare.body.id]);
  });

  it('revokes at once: the very next request with the key is refused', async () => {
    const tenant = await createTenant(api);
    const key = await createTenantKey(api, tenant.id);
    await api.http.get('/v1/event-types').set(api.auth(key.key)).expect(200);
    await api.http
      .delete(`${keysOf(tenant.id)}/${key.id}`)
      .set(api.auth())
      .expect(204);
    const refused = await api.http.get('/v1/event-types').set(api.auth(key.key)).expect(401);
    expect(refused.body).toMatchObject({ status: 401, detail: 'Unknown or revoked API key' });
  });

  it('records when a key was last used', async () => {
    const tenant = await createTenant(api);
    const key = await createTenantKey(api, tenant.id);
    const before = Date.now();
    await api.http.get('/v1/event-types').set(api.auth(key.key)).expect(200);
    const [listed] = (await listAll(tenant.id)).data;
    expect(new Date(listed.lastUsedAt as string).getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('answers 404 for an unknown key id and for a key of another tenant, which stays live', async () => {
    const owner = await createTenant(api);
    const other = await createTenant(api);
    const key = await createTenantKey(api, owner.id);
    await api.http
      .delete(`${keysOf(owner.id)}/key_01ARZ3NDEKTSV4RRFFQ69G5FAV`)
      .set(api.auth())
      .expect(404);
    await api.http
      .delete(`${keysOf(other.id)}/${key.id}`)
      .set(api.auth())
      .expect(404);
    expect((await listAll(other.id)).data).toEqual([]);
    await api.http.get('/v1/event-types').set(api.auth(key.key)).expect(200);
  });

  it('refuses bad input with problem+json naming each field, and writes nothing', async () => {
    const tenant = await createTenant(api);
    const cases: [unknown, { field: string; message: string }[]][] = [
      [{ name: '' }, [{ field: 'name', message: 'must not be empty' }]],
      [{ name: '   ' }, [{ field: 'name', message: 'must not be empty' }]],
      [{ name: 'x'.repeat(201) }, [{ field: 'name', message: 'must be at most 200 characters' }]],
      [{ name: 42 }, [{ field: 'name', message: expect.any(String) }]],
      [
        { name: 'ok', key: 'hk_mine', tenantId: tenant.id },
        [
          { field: 'key', message: 'unknown field' },
          { field: 'tenantId', message: 'unknown field' },
        ],
      ],
    ];
    for (const [body, errors] of cases) {
      const response = await api.http
        .post(keysOf(tenant.id))
        .set(api.auth())
        .send(body as object)
        .expect(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 422, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
      expect(response.body.errors).toEqual(errors);
    }
    const malformed = await api.http.post(keysOf(tenant.id)).set(api.auth()).set('content-type', 'application/json').send('{"name":').expect(400);
    expect(malformed.body.errors).toEqual([{ field: 'body', message: 'malformed JSON' }]);
    expect(await prisma.apiKey.count({ where: { tenantId: tenant.id } })).toBe(0);

    const badLimit = await api.http.get(keysOf(tenant.id)).query({ limit: 0 }).set(api.auth()).expect(422);
    expect(badLimit.body.errors).toEqual([{ field: 'limit', message: 'must be 1..100' }]);
  });

  it('walks every live key exactly once, newest first', async () => {
    const tenant = await createTenant(api);
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await createTenantKey(api, tenant.id)).id);
    const revoked = (await createTenantKey(api, tenant.id)).id;
    await api.http
      .delete(`${keysOf(tenant.id)}/${revoked}`)
      .set(api.auth())
      .expect(204);
    await createTenantKey(api, (await createTenant(api)).id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: KeyPage } = await api.http
        .get(keysOf(tenant.id))
        .query({ limit: 3, ...(cursor ? { cursor } : {}) })
        .set(api.auth())
        .expect(200);
      expect(page.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.data.map((k) => k.id as string));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...made].reverse());
  });
});
