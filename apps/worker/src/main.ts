import './tracing';
import { ConfigError, loadConfig } from '@hookline/config';
import { migrateDatabase, PrismaService } from '@hookline/database';
import { RedisService } from '@hookline/queue';
import { createWorkerApp } from './worker.app';

async function main() {
  const config = loadConfig();
  await migrateDatabase(config.DATABASE_URL);
  const app = await createWorkerApp(config);
  await app.get(PrismaService).$queryRaw`SELECT 1`;
  await app.get(RedisService).ping();
  console.log(`Hookline worker ready (concurrency ${config.WORKER_CONCURRENCY})`);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
