import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApiApp } from '../../apps/api/src/api.app';
import { TEST_ADMIN_KEY, testConfig } from './test-config';

export interface TestApi {
  app: NestFastifyApplication;
  url: string;
  adminKey: string;
  /** supertest bound to the running server, e.g. `api.http.get('/v1/tenants').set(api.auth())`. */
  http: ReturnType<typeof request>;
  auth(key?: string): { authorization: string };
  close(): Promise<void>;
}

/** Boots the real API on 127.0.0.1 and a free port. */
export async function startTestApi(overrides: Record<string, string> = {}): Promise<TestApi> {
  const app = await createApiApp(testConfig(overrides));
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return {
    app,
    url,
    adminKey: TEST_ADMIN_KEY,
    http: request(url),
    auth: (key = TEST_ADMIN_KEY) => ({ authorization: `Bearer ${key}` }),
    close: () => app.close(),
  };
}
