import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

/** prisma/migrations of this checkout, found from both the sources and the compiled dist/. */
export const MIGRATIONS_DIR = findMigrationsDir(__dirname);

function findMigrationsDir(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'prisma', 'migrations');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`prisma/migrations not found above ${from}`);
}

/** Any fixed number: every Hookline process that creates or migrates a database takes this lock. */
const MIGRATION_LOCK_ID = 72_140_213;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  created: boolean;
  applied: string[];
}

/** The table exactly as `prisma migrate deploy` creates it, so both tools share one ledger. */
const LEDGER_DDL = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`.replace(' UNSIGNED', '');

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: sha256(sql) };
    });
}

export interface MigrateOptions {
  /** Applies only the migrations whose names sort before this one: a database as an older release left it (tests of a data migration). */
  before?: string;
}

/**
 * Creates the database named by `databaseUrl` when it does not exist and applies pending
 * migrations, each in its own transaction. Safe when many processes start at once: all of them
 * serialise on an advisory lock in the server's maintenance database.
 */
export async function migrateDatabase(databaseUrl: string, dir = MIGRATIONS_DIR, options: MigrateOptions = {}): Promise<MigrateResult> {
  const target = new URL(databaseUrl);
  const databaseName = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!databaseName) throw new Error('DATABASE_URL names no database');
  const maintenanceUrl = new URL(databaseUrl);
  maintenanceUrl.pathname = '/postgres';

  const lock = new Client({ connectionString: maintenanceUrl.toString() });
  // Without a listener, a connection dropped between queries is an uncaught 'error' event that
  // kills the process. A lost lock connection also means the lock is gone: stop before the next step.
  let lockLost: Error | undefined;
  lock.on('error', (error) => (lockLost = error));
  const assertLocked = () => {
    if (lockLost) throw new Error(`lost the connection holding the migration lock: ${lockLost.message}`);
  };
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const exists = await lock.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName]);
    const created = exists.rowCount === 0;
    if (created) await lock.query(`CREATE DATABASE "${databaseName.replace(/"/g, '""')}"`);
    const { before } = options;
    const migrations = readMigrations(dir).filter((m) => before === undefined || m.name < before);
    const applied = await applyMigrations(databaseUrl, migrations, assertLocked);
    return { created, applied };
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}

/** As Prisma decides it: the file as is, or with its line endings converted either way (git may have). */
function matchesChecksum(sql: string, checksum: string): boolean {
  return [sql, sql.replace(/\r\n/g, '\n'), sql.replace(/\n/g, '\r\n')].some((variant) => sha256(variant) === checksum);
}

async function applyMigrations(databaseUrl: string, migrations: MigrationFile[], assertLocked: () => void): Promise<string[]> {
  const db = new Client({ connectionString: databaseUrl });
  // The query in flight rejects with the same error; the listener only keeps it from crashing the process.
  db.on('error', () => undefined);
  await db.connect();
  try {
    await db.query(LEDGER_DDL);
    const { rows } = await db.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const done = new Map(rows.map((row) => [row.migration_name, row]));
    for (const migration of migrations) {
      const row = done.get(migration.name);
      if (row && !matchesChecksum(migration.sql, row.checksum)) {
        throw new Error(`Migration ${migration.name} was edited after it was applied (checksum differs); add a new migration instead`);
      }
      if (row && !row.finished_at) {
        throw new Error(`Migration ${migration.name} failed earlier and was not rolled back; resolve it before migrating`);
      }
    }
    const pending = migrations.filter((m) => !done.has(m.name));
    for (const migration of pending) {
      assertLocked();
      await db.query('BEGIN');
      try {
        const id = randomUUID();
        await db.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())', [id, migration.checksum, migration.name]);
        await db.query(migration.sql);
        await db.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
        await db.query('COMMIT');
      } catch (error) {
        // On a dead connection ROLLBACK fails too (the server already rolled back); report the cause.
        await db.query('ROLLBACK').catch(() => undefined);
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    return pending.map((m) => m.name);
  } finally {
    await db.end().catch(() => undefined);
  }
}
