import './tracing';
import { ConfigError, DEV_ADMIN_KEY_FILE, loadConfig } from '@hookline/config';
import { migrateDatabase } from '@hookline/database';
import { createApiApp } from './api.app';

async function main() {
  const config = loadConfig();
  await migrateDatabase(config.DATABASE_URL);
  const app = await createApiApp(config);
  // Every interface, as the gRPC server: Fastify alone would listen on localhost only, unreachable in a container.
  await app.listen(config.PORT, '0.0.0.0');
  const url = `http://127.0.0.1:${config.PORT}`;
  console.log(`Hookline API listening on ${url} (docs: ${url}/docs)`);
  if (config.adminKeySource !== 'env') {
    const how = config.adminKeySource === 'generated' ? 'Generated a development admin key' : 'Development admin key';
    console.log(`${how} (kept in ${DEV_ADMIN_KEY_FILE}): ${config.ADMIN_API_KEY}`);
  }
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
