import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrateDatabase, MIGRATIONS_DIR } from './migrator';

const MIGRATION_NAMES = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const FIRST = MIGRATION_NAMES[0];

const maintenanceUrl = () => withDatabase('postgres');
function withDatabase(name: string): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const throwaway: string[] = [];
/** A database name nobody has used yet; dropped after the file. */
function newDatabase(): { name: string; url: string } {
  const name = `hookline_migr_${randomBytes(5).toString('hex')}`;
  throwaway.push(name);
  return { name, url: withDatabase(name) };
}

const tempDirs: string[] = [];
/** A copy of prisma/migrations the test may edit. */
function migrationsCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-migrations-'));
  tempDirs.push(dir);
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}
function addMigration(dir: string, name: string, sql: string) {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'migration.sql'), sql);
}

const databaseExists = async (name: string) => (await query(maintenanceUrl(), 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1;
const relationExists = async (url: string, name: string) => (await query<{ found: string | null }>(url, 'SELECT to_regclass($1)::text AS found', [name]))[0].found !== null;

interface LedgerRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}
const ledger = (url: string) => query<LedgerRow>(url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name, started_at');

afterAll(async () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  // In parallel: each DROP DATABASE waits for the server to remove its files.
  await Promise.all(throwaway.map((name) => query(maintenanceUrl(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
});

describe('migrateDatabase', () => {
  it('creates a missing database, applies every migration and records each as prisma migrate deploy does', async () => {
    const { name, url } = newDatabase();
    expect(await databaseExists(name)).toBe(false);

    expect(await migrateDatabase(url)).toEqual({ created: true, applied: MIGRATION_NAMES });

    expect(await databaseExists(name)).toBe(true);
    for (const table of ['tenants', 'subscriptions', 'events', 'deliveries', 'attempts']) expect(await relationExists(url, table)).toBe(true);

    const rows = await ledger(url);
    expect(rows.map((row) => row.migration_name)).toEqual(MIGRATION_NAMES);
    for (const row of rows) {
      // Prisma: a v4 uuid, sha256 hex of the file's bytes, one step, no logs, finished.
      const file = readFileSync(join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        checksum: createHash('sha256').update(file).digest('hex'),
        migration_name: row.migration_name,
        finished_at: expect.any(Date),
        started_at: expect.any(Date),
        logs: null,
        rolled_back_at: null,
        applied_steps_count: 1,
      });
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }

    // The ledger table itself is Prisma's, column for column, so `prisma migrate deploy` can take over.
    const columns = await query<{ column_name: string; data_type: string; is_nullable: string; max: number | null }>(
      url,
      `SELECT column_name, data_type, is_nullable, character_maximum_length AS max
         FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'character varying', is_nullable: 'NO', max: 36 },
      { column_name: 'checksum', data_type: 'character varying', is_nullable: 'NO', max: 64 },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', is_nullable: 'YES', max: null },
      { column_name: 'migration_name', data_type: 'character varying', is_nullable: 'NO', max: 255 },
      { column_name: 'logs', data_type: 'text', is_nullable: 'YES', max: null },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', is_nullable: 'YES', max: null },
      { column_name: 'started_at', data_type: 'timestamp with time zone', is_nullable: 'NO', max: null },
      { column_name: 'applied_steps_count', data_type: 'integer', is_nullable: 'NO', max: null },
    ]);
  });

  it('applies nothing on a second run', async () => {
    const { url } = newDatabase();
    await migrateDatabase(url);
    const before = await ledger(url);

    expect(await migrateDatabase(url)).toEqual({ created: false, applied: [] });
    expect(await ledger(url)).toEqual(before);
  });

  it('applies only the migrations added since the last run', async () => {
    const { url } = newDatabase();
    await migrateDatabase(url);
    const dir = migrationsCopy();
    addMigration(dir, '29990101000000_add_notes', 'CREATE TABLE "notes" ("id" TEXT PRIMARY KEY);\n');

    expect(await migrateDatabase(url, dir)).toEqual({ created: false, applied: ['29990101000000_add_notes'] });
    expect(await relationExists(url, 'notes')).toBe(true);
    expect((await ledger(url)).map((row) => row.migration_name)).toEqual([...MIGRATION_NAMES, '29990101000000_add_notes']);
  });

  it('stops before a named migration when asked, and applies the rest on the next run', async () => {
    const { url } = newDatabase();
    const last = MIGRATION_NAMES[MIGRATION_NAMES.length - 1];

    expect(await migrateDatabase(url, MIGRATIONS_DIR, { before: last })).toEqual({ created: true, applied: MIGRATION_NAMES.slice(0, -1) });
    expect(await migrateDatabase(url)).toEqual({ created: false, applied: [last] });
    expect((await ledger(url)).map((row) => row.migration_name)).toEqual(MIGRATION_NAMES);
  });

  it('refuses a migration edited after it was applied, and applies nothing after it', async () => {
    const { url } = newDatabase();
    await migrateDatabase(url);
    const before = await ledger(url);
    const dir = migrationsCopy();
    appendFileSync(join(dir, FIRST, 'migration.sql'), '\nCREATE TABLE "sneaky" ("id" TEXT);\n');
    addMigration(dir, '29990101000000_add_notes', 'CREATE TABLE "notes" ("id" TEXT PRIMARY KEY);\n');

    await expect(migrateDatabase(url, dir)).rejects.toThrow(`Migration ${FIRST} was edited after it was applied (checksum differs); add a new migration instead`);
    expect(await relationExists(url, 'notes')).toBe(false);
    expect(await relationExists(url, 'sneaky')).toBe(false);
    expect(await ledger(url)).toEqual(before);
  });

  it('accepts an applied migration checked out with Windows line endings, as Prisma does', async () => {
    const { url } = newDatabase();
    await migrateDatabase(url);
    const dir = migrationsCopy();
    const file = join(dir, FIRST, 'migration.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));

    expect(await migrateDatabase(url, dir)).toEqual({ created: false, applied: [] });
  });

  it('refuses to continue past a migration that prisma migrate deploy recorded as failed', async () => {
    const { url } = newDatabase();
    await migrateDatabase(url);
    // What Prisma leaves behind when a migration fails half-way: a row that never finished.
    await query(url, 'UPDATE "_prisma_migrations" SET finished_at = NULL, applied_steps_count = 0, logs = $2 WHERE migration_name = $1', [FIRST, 'boom']);

    await expect(migrateDatabase(url)).rejects.toThrow(`Migration ${FIRST} failed earlier and was not rolled back; resolve it before migrating`);
  });

  it('rolls back a failing migration completely: no partial schema, no ledger row, and a fixed file applies later', async () => {
    const { url } = newDatabase();
    await migrateDatabase(url);
    const before = await ledger(url);
    const dir = migrationsCopy();
    const broken = '29990101000000_broken';
    addMigration(dir, broken, 'CREATE TABLE "half_done" ("id" TEXT PRIMARY KEY);\nALTER TABLE "tenants" ADD COLUMN "plan" TEXT;\nSELECT 1 / 0;\n');

    await expect(migrateDatabase(url, dir)).rejects.toThrow(`Migration ${broken} failed: division by zero`);
    expect(await relationExists(url, 'half_done')).toBe(false);
    const plan = await query(url, `SELECT 1 FROM information_schema.columns WHERE table_name = 'tenants' AND column_name = 'plan'`);
    expect(plan).toEqual([]);
    expect(await ledger(url)).toEqual(before);

    writeFileSync(join(dir, broken, 'migration.sql'), 'CREATE TABLE "half_done" ("id" TEXT PRIMARY KEY);\n');
    expect(await migrateDatabase(url, dir)).toEqual({ created: false, applied: [broken] });
    const row = (await ledger(url)).find((r) => r.migration_name === broken);
    expect(row).toMatchObject({ finished_at: expect.any(Date), applied_steps_count: 1 });
  });

  it('reports a connection lost in the middle of a migration as that migration failing, instead of crashing', async () => {
    const { url } = newDatabase();
    await migrateDatabase(url);
    const before = await ledger(url);
    const dir = migrationsCopy();
    addMigration(dir, '29990101000000_killed', 'CREATE TABLE "orphan" ("id" TEXT);\nSELECT pg_terminate_backend(pg_backend_pid());\n');

    await expect(migrateDatabase(url, dir)).rejects.toThrow(/^Migration 29990101000000_killed failed: /);
    expect(await relationExists(url, 'orphan')).toBe(false);
    expect(await ledger(url)).toEqual(before);
  });

  it('lets 5 processes start at once on a database that does not exist yet: one creates it, each migration runs once', async () => {
    const { name, url } = newDatabase();
    expect(await databaseExists(name)).toBe(false);

    const results = await Promise.all(Array.from({ length: 5 }, () => migrateDatabase(url)));

    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results.filter((r) => r.applied.length > 0)).toEqual([{ created: true, applied: MIGRATION_NAMES }]);
    const counts = await query<{ migration_name: string; n: number }>(
      url,
      'SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY migration_name ORDER BY migration_name',
    );
    expect(counts).toEqual(MIGRATION_NAMES.map((migration_name) => ({ migration_name, n: 1 })));
  });
});
