import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createTenant } from './factories';
import { createIsolatedDatabase } from './isolated-database';
import type { TestApi } from './test-api';
import { startTestApi } from './test-api';
import { startTestWorker } from './test-worker';

export interface TestStack {
  api: TestApi;
  worker: INestApplicationContext;
  /** Settings shared by the api and worker of this stack, e.g. to start a second worker. */
  env: Record<string, string>;
  tenantId: string;
  close(): Promise<void>;
}

/**
 * An API and a worker sharing a queue prefix of their own (so other test files' workers never take
 * this file's jobs), a fast retry schedule and a fresh tenant.
 */
export async function startTestStack(overrides: Record<string, string> = {}): Promise<TestStack> {
  const env = {
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    RETRY_SCHEDULE: '100ms,200ms,300ms',
    DELIVERY_TIMEOUT_MS: '2000',
    // Off unless a test asks for it: test stacks share one database but not one queue prefix, so
    // one stack's sweeper would re-queue another stack's in-flight deliveries into its own queue.
    SWEEP_INTERVAL_MS: '600000',
    WORKER_CONCURRENCY: '20',
    ...overrides,
  };
  const api = await startTestApi(env);
  const worker = await startTestWorker(env);
  const tenant = await createTenant(api);
  return {
    api,
    worker,
    env,
    tenantId: tenant.id,
    close: async () => {
      await worker.close();
      await api.close();
    },
  };
}

/**
 * A stack on a migrated database of its own (createIsolatedDatabase says when a test needs one):
 * its `env.DATABASE_URL` names it, and `close()` drops it after stopping the stack.
 */
export async function startIsolatedStack(overrides: Record<string, string> = {}): Promise<TestStack> {
  const database = await createIsolatedDatabase();
  let stack: TestStack;
  try {
    stack = await startTestStack({ ...overrides, DATABASE_URL: database.url });
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    ...stack,
    close: async () => {
      try {
        await stack.close();
      } finally {
        await database.drop();
      }
    },
  };
}
