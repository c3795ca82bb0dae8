import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrateDatabase } from '@hookline/database';

export interface IsolatedDatabase {
  /** Pass as `DATABASE_URL` to every api and worker of the test (and to spawned workers). */
  url: string;
  drop(): Promise<void>;
}

/**
 * A migrated database of the test's own, next to the run's. Stacks that share a database see each
 * other's deliveries: a sweeper re-enqueues every overdue delivery of its database whose job is
 * missing from its own queue prefix, so it sends another stack's slow or stranded deliveries
 * through its own worker. A test that relies on the sweeper, leaves deliveries overdue on purpose,
 * or purges by age takes a database of its own (startIsolatedStack, for a whole stack on one).
 */
export async function createIsolatedDatabase(): Promise<IsolatedDatabase> {
  const base = new URL(process.env.DATABASE_URL!);
  const name = `${base.pathname.slice(1)}_${randomBytes(4).toString('hex')}`;
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      const admin = new URL(base.toString());
      admin.pathname = '/postgres';
      const client = new Client({ connectionString: admin.toString() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
