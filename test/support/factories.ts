import type { TestApi } from './test-api';

let counter = 0;

/** A new tenant through the API, so every test owns its rows. */
export async function createTenant(api: TestApi, name = `tenant ${++counter}`): Promise<{ id: string; name: string }> {
  const response = await api.http.post('/v1/tenants').set(api.auth()).send({ name }).expect(201);
  return response.body;
}

/** A tenant API key (the secret `key` is only returned here). */
export async function createTenantKey(api: TestApi, tenantId: string): Promise<{ id: string; key: string }> {
  const response = await api.http.post(`/v1/tenants/${tenantId}/api-keys`).set(api.auth()).send({ name: 'test' }).expect(201);
  return response.body;
}
