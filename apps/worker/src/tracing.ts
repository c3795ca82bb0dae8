// Imported first by main.ts: the SDK must patch node:http, pg and ioredis before anything requires them.
import { startTracing } from '@hookline/tracing';

startTracing('hookline-worker');
