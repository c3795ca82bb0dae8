import { Client } from 'pg';

export interface RowCounter {
  /** Rows in every table (migrations bookkeeping and the status counters aside), in one query. */
  count(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Counts the rows of every table of a database, to prove a refused request wrote nothing. */
export async function openRowCounter(databaseUrl: string): Promise<RowCounter> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const tables = await client.query<{ name: string }>(
    // Partitions aside: their rows are counted in their parent (and the worker adds days ahead, listing
    // those of deliveries). The status counters aside too: the worker folds their deltas every second,
    // whatever a request did.
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> ALL ($1) ORDER BY c.relname`,
    [['_prisma_migrations', 'delivery_status_deltas', 'delivery_status_counts', 'delivery_partition_counts', 'delivery_partitions']],
  );
  const sql = `SELECT ${tables.rows.map(({ name }) => `(SELECT count(*) FROM "${name}")::int AS "${name}"`).join(', ')}`;
  return {
    count: async () => (await client.query<Record<string, number>>(sql)).rows[0],
    close: () => client.end(),
  };
}

/** One count of every table's rows (see openRowCounter). */
export async function tableRowCounts(databaseUrl: string): Promise<Record<string, number>> {
  const counter = await openRowCounter(databaseUrl);
  try {
    return await counter.count();
  } finally {
    await counter.close();
  }
}
