import { Client } from 'pg';
import type { IsolatedDatabase, TestStack } from '../support';
import { createIsolatedDatabase, RecordingReceiver, startTestStack } from '../support';

/** The partitioned tables, in the order the tests list them. */
export const PARTITIONED_TABLES = ['events', 'deliveries', 'attempts'] as const;

/** The partitions of `table`, by name. */
export async function partitionsOf(sql: Client, table: string): Promise<string[]> {
  const { rows } = await sql.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
    [table],
  );
  return rows.map((row) => row.name);
}

export interface PartitionRig {
  db: IsolatedDatabase;
  sql: Client;
  stack: TestStack;
  receiver: RecordingReceiver;
  close(): Promise<void>;
}

/**
 * A database of its own (retention drops partitions across every tenant), a SQL client on it,
 * `prepare` run with that client before anything else connects, then an API and a worker with
 * `env`, and a receiver. `close` undoes it in reverse.
 */
export async function startPartitionRig(prepare: (sql: Client) => Promise<void>, env: Record<string, string>): Promise<PartitionRig> {
  const db = await createIsolatedDatabase();
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  await prepare(sql);
  const stack = await startTestStack({ DATABASE_URL: db.url, ...env });
  const receiver = await RecordingReceiver.start();
  return {
    db,
    sql,
    stack,
    receiver,
    async close() {
      await receiver.close();
      await stack.close();
      await sql.end();
      await db.drop();
    },
  };
}
