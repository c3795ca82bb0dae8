import type { TestApi } from '../../../../test/support';
import { createTenant, createTenantKey, startTestApi } from '../../../../test/support';

describe('GET /v1/egress-ips', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ EGRESS_IPS: '203.0.113.7, 2001:db8::7,198.51.100.0/28' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists the configured addresses for the admin key and for any tenant key', async () => {
    const expected = { data: ['203.0.113.7', '2001:db8::7', '198.51.100.0/28'] };
    const asAdmin = await api.http.get('/v1/egress-ips').set(api.auth()).expect(200);
    expect(asAdmin.headers['content-type']).toMatch(/^application\/json/);
    expect(asAdmin.body).toEqual(expected);

    const tenant = await createTenant(api);
    const { key } = await createTenantKey(api, tenant.id);
    await api.http.get('/v1/egress-ips').set(api.auth(key)).expect(200, expected);
  });

  it('answers 401 problem+json without a key or with an unknown one', async () => {
    for (const headers of [{}, api.auth('hk_not_a_real_key_0123456789')]) {
      const response = await api.http.get('/v1/egress-ips').set(headers).expect(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 401 });
      expect(response.body.data).toBeUndefined();
    }
  });

  it('is an empty list when EGRESS_IPS is not set', async () => {
    const bare = await startTestApi();
    try {
      await bare.http.get('/v1/egress-ips').set(bare.auth()).expect(200, { data: [] });
    } finally {
      await bare.close();
    }
  });

  it('is described in the OpenAPI document', async () => {
    const { body } = await api.http.get('/openapi.json').expect(200);
    const operation = body.paths['/v1/egress-ips'].get;
    expect(operation.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/EgressIpsDto' });
    expect(body.components.schemas.EgressIpsDto).toMatchObject({ type: 'object', properties: { data: { type: 'array', items: { type: 'string' } } } });
  });
});
