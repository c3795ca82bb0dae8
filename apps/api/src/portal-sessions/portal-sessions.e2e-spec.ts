import { hashApiKey } from '@hookline/auth';
import { PrismaService } from '@hookline/database';
import type { TestApi } from '../../../../test/support';
import { createTenant, createTenantKey, startTestApi } from '../../../../test/support';

describe('portal sessions', () => {
  let api: TestApi;
  let prisma: PrismaService;
  beforeAll(async () => {
    api = await startTestApi();
    prisma = api.app.get(PrismaService);
  });
  afterAll(() => api.close());

  const sessionsOf = (tenantId: string) => `/v1/tenants/${tenantId}/portal-sessions`;

  it('mints a link: the token shown once, in the URL fragment only, stored as a hash', async () => {
    const tenant = await createTenant(api);
    const before = Date.now();
    const created = await api.http.post(sessionsOf(tenant.id)).set(api.auth()).set('host', 'hooks.example.test:8443').expect(201);
    expect(Object.keys(created.body).sort()).toEqual(['expiresAt', 'id', 'readOnly', 'token', 'url']);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^pts_[0-9A-Z]{26}$/), token: expect.stringMatching(/^hkp_[A-Za-z0-9_-]{43}$/), readOnly: false });
    expect(created.headers['cache-control']).toBe('no-store');
    const expiresAt = new Date(created.body.expiresAt).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);

    const url = new URL(created.body.url);
    expect(`${url.origin}${url.pathname}`).toBe('http://hooks.example.test:8443/portal/');
    expect(url.search).toBe('');
    expect(url.hash).toBe(`#token=${created.body.token}`);

    const row = await prisma.portalSession.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.hash).toBe(hashApiKey(created.body.token));
    expect(JSON.stringify(row)).not.toContain(created.body.token);

    const listed = await api.http.get(sessionsOf(tenant.id)).set(api.auth()).expect(200);
    expect(listed.body).toEqual({
      data: [{ id: created.body.id, readOnly: false, expiresAt: created.body.expiresAt, createdAt: expect.any(String) }],
      nextCursor: null,
    });
  });

  it('builds the link on PUBLIC_URL when it is set', async () => {
    const behindProxy = await startTestApi({ PUBLIC_URL: 'https://hooks.example.com/hookline/' });
    try {
      const tenant = await createTenant(behindProxy);
      const created = await behindProxy.http.post(sessionsOf(tenant.id)).set(behindProxy.auth()).send({ readOnly: true, expiresInSeconds: 60 }).expect(201);
      expect(created.body.url).toBe(`https://hooks.example.com/hookline/portal/#token=${created.body.token}`);
      expect(created.body.readOnly).toBe(true);
      expect(new Date(created.body.expiresAt).getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    } finally {
      await behindProxy.close();
    }
  });

  it("lets the tenant's own key mint and revoke, and hides other tenants' sessions", async () => {
    const tenant = await createTenant(api);
    const stranger = await createTenant(api);
    const key = await createTenantKey(api, tenant.id);
    const created = await api.http.post(sessionsOf(tenant.id)).set(api.auth(key.key)).send({ expiresInSeconds: 604_800 }).expect(201);
    await api.http.post(sessionsOf(stranger.id)).set(api.auth(key.key)).send({}).expect(404);
    await api.http.get(sessionsOf(stranger.id)).set(api.auth(key.key)).expect(404);
    await api.http
      .delete(`${sessionsOf(stranger.id)}/${created.body.id}`)
      .set(api.auth())
      .expect(404);

    await api.http.get('/v1/auth/whoami').set(api.auth(created.body.token)).expect(200);
    await api.http
      .delete(`${sessionsOf(tenant.id)}/${created.body.id}`)
      .set(api.auth(key.key))
      .expect(204, '');
    await api.http.get('/v1/auth/whoami').set(api.auth(created.body.token)).expect(401);
    expect((await api.http.get(sessionsOf(tenant.id)).set(api.auth()).expect(200)).body.data).toEqual([]);
    const again = await api.http
      .delete(`${sessionsOf(tenant.id)}/${created.body.id}`)
      .set(api.auth())
      .expect(404);
    expect(again.body).toMatchObject({ status: 404, detail: 'Portal session not found' });
  });

  it('refuses bad input with problem+json naming the field, and writes nothing', async () => {
    const tenant = await createTenant(api);
    const range = 'must be 60..604800 seconds';
    const cases: [unknown, { field: string; message: string }[]][] = [
      [{ expiresInSeconds: 59 }, [{ field: 'expiresInSeconds', message: range }]],
      [{ expiresInSeconds: 604_801 }, [{ field: 'expiresInSeconds', message: range }]],
      [{ expiresInSeconds: 90.5 }, [{ field: 'expiresInSeconds', message: 'must be a whole number of seconds' }]],
      [{ expiresInSeconds: '3600' }, [{ field: 'expiresInSeconds', message: 'must be a whole number of seconds' }]],
      [{ readOnly: 'yes' }, [{ field: 'readOnly', message: 'must be true or false' }]],
      [{ token: 'hkp_mine' }, [{ field: 'token', message: 'unknown field' }]],
    ];
    for (const [body, errors] of cases) {
      const response = await api.http
        .post(sessionsOf(tenant.id))
        .set(api.auth())
        .send(body as object)
        .expect(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors).toEqual(errors);
    }
    expect(await prisma.portalSession.count({ where: { tenantId: tenant.id } })).toBe(0);
  });

  it('whoami tells each credential what it is', async () => {
    const tenant = await createTenant(api);
    const key = await createTenantKey(api, tenant.id);
    const session = (await api.http.post(sessionsOf(tenant.id)).set(api.auth()).send({ readOnly: true }).expect(201)).body;
    expect((await api.http.get('/v1/auth/whoami').set(api.auth()).expect(200)).body).toEqual({ kind: 'admin', tenantId: null, readOnly: false, expiresAt: null });
    expect((await api.http.get('/v1/auth/whoami').set(api.auth(key.key)).expect(200)).body).toEqual({ kind: 'tenant', tenantId: tenant.id, readOnly: false, expiresAt: null });
    expect((await api.http.get('/v1/auth/whoami').set(api.auth(session.token)).expect(200)).body).toEqual({
      kind: 'portal',
      tenantId: tenant.id,
      readOnly: true,
      expiresAt: session.expiresAt,
    });
    await api.http.get('/v1/auth/whoami').expect(401);
    await api.http.get('/v1/auth/whoami').set(api.auth('hk_unknown')).expect(401);
  });

  it('is gone with its tenant', async () => {
    const tenant = await createTenant(api);
    const session = (await api.http.post(sessionsOf(tenant.id)).set(api.auth()).expect(201)).body;
    await api.http.delete(`/v1/tenants/${tenant.id}`).set(api.auth()).expect(204);
    await api.http.get('/v1/auth/whoami').set(api.auth(session.token)).expect(401);
  });
});
