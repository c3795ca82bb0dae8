import type { TestApi } from '../../../../test/support';
import { startTestApi } from '../../../../test/support';

// pino-http sets the request id at info and below; a middleware of ours does above it.
describe.each(['silent', 'info'])('x-request-id at LOG_LEVEL=%s', (level) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ LOG_LEVEL: level });
  });
  afterAll(() => api?.close());

  it("echoes the caller's id and generates one otherwise", async () => {
    const given = await api.http.get('/v1/tenants?limit=1').set(api.auth()).set('x-request-id', 'req-123').expect(200);
    expect(given.headers['x-request-id']).toBe('req-123');
    const generated = await api.http.get('/v1/tenants?limit=1').set(api.auth()).expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
