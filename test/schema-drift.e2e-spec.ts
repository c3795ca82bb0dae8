import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { readMigrations } from '../libs/platform/database/src/migrator';
import type { DatabaseShape } from './schema-drift';
import { actualShape, compareShapes, expectedShape, schemaDrift } from './schema-drift';

const SCHEMA = readFileSync(join(__dirname, '..', 'prisma', 'schema.prisma'), 'utf8');

/** The schema with one edit; fails loudly if the text to replace has gone, so no case tests nothing. */
function alter(find: string | RegExp, replace: string): string {
  const altered = SCHEMA.replace(find, replace);
  if (altered === SCHEMA) throw new Error(`schema.prisma no longer contains ${find}; update this test case`);
  return altered;
}

describe('migrations match schema.prisma', () => {
  let db: Client;
  let migrated: DatabaseShape;

  beforeAll(async () => {
    // The run's database, migrated by test/global-setup.ts exactly as `npm run db:migrate` does.
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    migrated = await actualShape(db);
  });
  afterAll(() => db.end());

  it('has every table, column, type, nullability, default, enum, index and foreign key, and nothing else', async () => {
    expect(await schemaDrift(SCHEMA, db)).toEqual([]);
    // Guard against a comparison that sees nothing: the shape must actually hold the schema.
    expect(migrated.tables.get('deliveries')?.get('next_attempt_at')).toEqual({ type: 'timestamptz(3)', nullable: true, default: null, isList: false });
    expect(migrated.indexes.get('subscription_secrets_subscription_id_created_at_idx')?.columns).toEqual(['subscription_id', 'created_at DESC']);
  });

  describe('reports what differs when schema.prisma changes', () => {
    const differences = async (schema: string) => compareShapes(await expectedShape(schema, db), migrated, schema);

    it.each([
      [
        'an added column',
        alter('  lastError      String?        @map("last_error")\n', '  lastError      String?        @map("last_error")\n  priority       Int            @default(0)\n'),
        ['deliveries.priority: schema says not null integer, database has no such column'],
      ],
      [
        'a column made required',
        alter('nextAttemptAt  DateTime?', 'nextAttemptAt  DateTime '),
        ['deliveries.next_attempt_at: schema says not null timestamptz(3), database has nullable timestamptz(3)'],
      ],
      ['json instead of jsonb', alter('data           Json     @db.Json', 'data           Json    '), ['events.data: schema says not null jsonb, database has not null json']],
      [
        'a different precision',
        alter('startedAt       DateTime @map("started_at") @db.Timestamptz(3)', 'startedAt       DateTime @map("started_at") @db.Timestamptz(6)'),
        ['attempts.started_at: schema says not null timestamptz(6), database has not null timestamptz(3)'],
      ],
      [
        'a changed default',
        alter('status         DeliveryStatus @default(pending)', 'status         DeliveryStatus @default(failed) '),
        ['deliveries.status: schema says default failed, database has default pending'],
      ],
      ['a dropped index', alter('  @@index([eventId])\n', ''), ['deliveries: database has index (event_id) deliveries_event_id_idx that schema.prisma does not declare']],
      [
        'an index in the other direction',
        alter(/(model ApiKey[^}]*)@@index\(\[tenantId, id\(sort: Desc\)\]\)/, '$1@@index([tenantId, id])'),
        ['api_keys: index api_keys_tenant_id_id_idx: schema says index (tenant_id, id), database has index (tenant_id, id DESC) on api_keys'],
      ],
      [
        'a partial index made whole',
        alter(', where: raw("replay_id IS NOT NULL")', ''),
        [
          'deliveries: index deliveries_replay_id_status_idx: schema says index (replay_id, status), database has index (replay_id, status) WHERE (replay_id IS NOT NULL) on deliveries',
        ],
      ],
      [
        'another predicate',
        alter(`where: raw("status IN ('pending', 'failed')")`, `where: raw("status = 'pending'")`),
        [
          `deliveries: index deliveries_status_next_attempt_at_idx: schema says index (status, next_attempt_at) WHERE (status = 'pending'::"DeliveryStatus"), database has index (status, next_attempt_at) WHERE (status = ANY (ARRAY['pending'::"DeliveryStatus", 'failed'::"DeliveryStatus"])) on deliveries`,
        ],
      ],
      [
        'a unique index made plain',
        alter('hash       String    @unique', 'hash       String   '),
        ['api_keys: database has unique index (hash) api_keys_hash_key that schema.prisma does not declare'],
      ],
      [
        'a new compound primary key order',
        alter('@@id([jobId, line])', '@@id([line, jobId])'),
        ['bulk_job_errors: index bulk_job_errors_pkey: schema says primary key (line, job_id), database has primary key (job_id, line) on bulk_job_errors'],
      ],
      [
        'another onDelete',
        alter(/(model Delivery[^}]*subscription Subscription @relation\([^)]*onDelete: )Cascade/, '$1Restrict'),
        [
          'foreign key deliveries(subscription_id): schema says -> subscriptions(id) ON DELETE RESTRICT ON UPDATE CASCADE, database has -> subscriptions(id) ON DELETE CASCADE ON UPDATE CASCADE',
        ],
      ],
      [
        'an added enum label',
        alter('enum SubscriptionStatus {\n  active\n  disabled\n', 'enum SubscriptionStatus {\n  active\n  disabled\n  paused\n'),
        ['enum SubscriptionStatus: schema says (active, disabled, paused), database has (active, disabled)'],
      ],
    ])('%s', async (_case, schema, expected) => {
      expect(await differences(schema)).toEqual(expected);
    });

    it('a renamed table: missing, extra, and every name derived from it', async () => {
      const found = await differences(alter('@@map("bulk_job_errors")', '@@map("bulk_job_failures")'));
      expect(found).toEqual(
        expect.arrayContaining([
          'bulk_job_failures: schema declares the table, database has none',
          'bulk_job_errors: database has a table that schema.prisma does not declare',
          'foreign key bulk_job_failures(job_id): schema says -> bulk_jobs(id) ON DELETE CASCADE ON UPDATE CASCADE, database has none',
        ]),
      );
    });
  });

  it('reports what differs when the database changes (a scratch copy of the migrations)', async () => {
    const scratch = `drift_${randomBytes(4).toString('hex')}`;
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${scratch}"`);
      await client.query(`SET search_path TO "${scratch}"`);
      for (const migration of readMigrations()) await client.query(migration.sql);
      expect(await schemaDrift(SCHEMA, client)).toEqual([]);

      await client.query(`
        ALTER TABLE "attempts" ALTER COLUMN "number" DROP NOT NULL;
        ALTER TABLE "tenants" ADD COLUMN "plan" TEXT;
        ALTER TABLE "subscriptions" ALTER COLUMN "headers" DROP DEFAULT;
        DROP INDEX "events_created_at_idx";
        CREATE INDEX "events_type_idx" ON "events"("type");
        CREATE TABLE "notes" ("id" TEXT PRIMARY KEY);
        ALTER TABLE "replays" DROP CONSTRAINT "replays_tenant_id_fkey";
        ALTER TABLE "replays" ADD CONSTRAINT "replays_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE SET NULL ON UPDATE CASCADE;
        ALTER TYPE "ReplayStatus" ADD VALUE 'paused';
      `);
      expect(await schemaDrift(SCHEMA, client)).toEqual([
        'attempts.number: schema says not null integer, database has nullable integer',
        'enum ReplayStatus: schema says (queued, running, completed, failed), database has (queued, running, completed, failed, paused)',
        'events: database has index (type) events_type_idx that schema.prisma does not declare',
        'events: schema declares index (created_at) as events_created_at_idx, database has none',
        'foreign key replays(tenant_id): schema says -> tenants(id) ON DELETE CASCADE ON UPDATE CASCADE, database has -> tenants(id) ON DELETE SET NULL ON UPDATE CASCADE',
        'notes: database has a table that schema.prisma does not declare',
        'notes: database has primary key (id) notes_pkey that schema.prisma does not declare',
        'subscriptions.headers: schema says default {}, database has no default',
        'tenants.plan: database has nullable text column that schema.prisma does not declare',
      ]);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS "${scratch}" CASCADE`);
      await client.end();
    }
  });
});
