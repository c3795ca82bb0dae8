import { randomBytes } from 'node:crypto';
import { migrateDatabase } from '../libs/platform/database/src/migrator';

/**
 * One fresh database per test run, migrated once; test files share it and isolate themselves by
 * creating their own tenants. Workers inherit the environment set here.
 */
export default async function globalSetup() {
  // Both passes (single Redis and cluster) share the run's database: whichever sets up first makes it.
  if (process.env.HOOKLINE_TEST_RUN) return;
  const base = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/hookline');
  base.pathname = `/hookline_test_${Date.now().toString(36)}_${process.pid}`;
  process.env.DATABASE_URL = base.toString();
  process.env.REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
  process.env.HOOKLINE_TEST_RUN = base.pathname.slice(1);
  // One key for the run, shared by in-process apps and the processes tests spawn; never in the source.
  process.env.SECRETS_KEY ??= randomBytes(32).toString('hex');
  await migrateDatabase(process.env.DATABASE_URL);
}
