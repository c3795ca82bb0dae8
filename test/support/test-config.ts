import type { AppConfig } from '@hookline/config';
import { loadConfig } from '@hookline/config';

export const TEST_ADMIN_KEY = 'hk_admin_test_0123456789abcdef';

/** Config for an app booted inside a test: the run's database and Redis, quiet logs, loopback receivers allowed. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    ALLOW_PRIVATE_NETWORKS: 'true',
    PORT: '0',
    GRPC_PORT: '0',
    // No purge on its own: it deletes by age across the whole database, which test files share.
    // A test of the purge sets it or calls RetentionPurger.tick().
    RETENTION_INTERVAL_MS: '0',
    ...overrides,
  });
}
