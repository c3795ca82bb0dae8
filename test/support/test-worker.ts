import type { INestApplicationContext } from '@nestjs/common';
import { createWorkerApp } from '../../apps/worker/src/worker.app';
import { testConfig } from './test-config';

/** Boots the real worker in this process (no HTTP port), consuming the queue named by QUEUE_PREFIX. */
export async function startTestWorker(overrides: Record<string, string> = {}): Promise<INestApplicationContext> {
  return createWorkerApp(testConfig(overrides));
}
