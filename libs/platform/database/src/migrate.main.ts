import { ConfigError, loadConfig } from '@hookline/config';
import { migrateDatabase } from './migrator';

/** `npm run db:migrate`: create the database if needed and apply pending migrations. */
async function main() {
  const { DATABASE_URL } = loadConfig();
  const result = await migrateDatabase(DATABASE_URL);
  const where = new URL(DATABASE_URL).pathname.slice(1);
  if (result.created) console.log(`created database ${where}`);
  console.log(result.applied.length ? `applied ${result.applied.join(', ')}` : `database ${where} is up to date`);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : `db:migrate failed: ${(error as Error).message}`);
  process.exit(1);
});
