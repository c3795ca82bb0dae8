// Imported first by main.ts: the SDK must patch node:http, pg and ioredis before anything requires them.
import { startTracing } from '@hookline/tracing';

try {
  startTracing('hookline-worker');
} catch (error) {
  console.error(`Invalid configuration: ${(error as Error).message}`);
  process.exit(1);
}
