import { PrismaService } from '@hookline/database';
import type { IsolatedDatabase, TestApi } from '../../../../test/support';
import { createIsolatedDatabase, createTenant, startTestApi } from '../../../../test/support';

describe('tenants', () => {
  // A database of its own: these tests count every tenant, and other files create tenants meanwhile.
  let db: IsolatedDatabase;
  let api: TestApi;
  beforeAll(async () => {
    db = await createIsolatedDatabase();
    api = await startTestApi({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('creates, reads, updates and deletes a tenant', async () => {
    const created = await api.http.post('/v1/tenants').set(api.auth()).send({ name: 'Acme', metadata: { plan: 'pro' } }).expect(201);
    expect(created.body).toMatchObject({ name: 'Acme', metadata: { plan: 'pro' } });
    expect(created.body.id).toMatch(/^ten_[0-9A-Z]{26}$/);
    const id = created.body.id;

    await api.http.get(`/v1/tenants/${id}`).set(api.auth()).expect(200, created.body);
    const updated = await api.http.patch(`/v1/tenants/${id}`).set(api.auth()).send({ name: 'Acme Corp' }).expect(200);
    expect(updated.body).toMatchObject({ id, name: 'Acme Corp', metadata: { plan: 'pro' } });

    await api.http.delete(`/v1/tenants/${id}`).set(api.auth()).expect(204);
    await api.http.get(`/v1/tenants/${id}`).set(api.auth()).expect(404);
  });

  it('refuses bad input with problem+json naming each field, and writes nothing', async () => {
    const before = await api.app.get(PrismaService).tenant.count();
    const response = await api.http.post('/v1/tenants').set(api.auth()).send({ name: '', extra: 1 }).expect(422);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 422, title: expect.any(String), type: expect.any(String), detail: expect.any(String) });
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'name', message: expect.any(String) },
        { field: 'extra', message: 'unknown field' },
      ]),
    );
    await api.http.post('/v1/tenants').set(api.auth()).send({ name: 42 }).expect(422);
    const malformed = await api.http.post('/v1/tenants').set(api.auth()).set('content-type', 'application/json').send('{"name":').expect(400);
    expect(malformed.body.errors).toEqual([{ field: 'body', message: 'malformed JSON' }]);
    expect(await api.app.get(PrismaService).tenant.count()).toBe(before);
  });

  it('walks every tenant exactly once through cursor pagination', async () => {
    const made = new Set<string>();
    for (let i = 0; i < 7; i++) made.add((await createTenant(api)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { id: string }[]; nextCursor: string | null } } = await api.http
        .get('/v1/tenants')
        .query({ limit: 3, ...(cursor ? { cursor } : {}) })
        .set(api.auth())
        .expect(200);
      expect(page.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.data.map((t) => t.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of made) expect(seen).toContain(id);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('rejects limit outside 1..100', async () => {
    const response = await api.http.get('/v1/tenants?limit=101').set(api.auth()).expect(422);
    expect(response.body.errors).toEqual([{ field: 'limit', message: expect.any(String) }]);
  });
});
