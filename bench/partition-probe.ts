import { Client } from 'pg';

/** The tables partitioned by id range (apps/worker/src/maintenance/partition-ranges.ts). */
export const PARTITIONED_TABLES = ['events', 'deliveries', 'attempts'] as const;

export interface TableSize {
  partitions: number;
  /** Live rows as the statistics count them (`n_live_tup`, flushed about every second): no scan. */
  rows: number;
  /** `pg_total_relation_size` summed over the partitions: heap, indexes and TOAST. */
  mib: number;
}

export interface PartitionDrop {
  /** Midpoint between the last poll that saw the partition and the first that did not, ms on the bench clock. */
  at: number;
  name: string;
}

/**
 * Reads the bench database's catalog: which partitions exist, and their rows and size. Cheap
 * enough to poll every second under load (catalog and statistics reads, never a row scan).
 */
export class PartitionProbe {
  private constructor(private readonly sql: Client) {}

  static async connect(databaseUrl: string): Promise<PartitionProbe> {
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    return new PartitionProbe(sql);
  }

  async names(): Promise<string[]> {
    const { rows } = await this.sql.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_class c ON c.oid = i.inhrelid
        WHERE p.relname = ANY ($1) AND p.relnamespace = current_schema()::regnamespace ORDER BY 1`,
      [PARTITIONED_TABLES],
    );
    return rows.map((row) => row.name);
  }

  async sizes(): Promise<Record<string, TableSize>> {
    const { rows } = await this.sql.query<{ table: string; partitions: number; rows: string; bytes: string }>(
      `SELECT p.relname AS "table", count(*)::int AS partitions, coalesce(sum(s.n_live_tup), 0)::text AS rows, coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS bytes
         FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_class c ON c.oid = i.inhrelid
         LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
        WHERE p.relname = ANY ($1) AND p.relnamespace = current_schema()::regnamespace
        GROUP BY p.relname`,
      [PARTITIONED_TABLES],
    );
    const sizes: Record<string, TableSize> = {};
    for (const table of PARTITIONED_TABLES) {
      const row = rows.find((r) => r.table === table);
      sizes[table] = { partitions: row?.partitions ?? 0, rows: Number(row?.rows ?? 0), mib: Number(row?.bytes ?? 0) / 2 ** 20 };
    }
    return sizes;
  }

  /** Exact row counts (a scan each): once, to check the statistics the samples read. */
  async exactRows(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of PARTITIONED_TABLES) counts[table] = (await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
    return counts;
  }

  /**
   * Drops the partitions the migration made (the legacy one and days ahead, all empty in a fresh
   * database): with them in place a finer PARTITION_SPAN has nothing to create until they expire.
   * Run after the API migrated the database and before any worker starts.
   */
  async dropMigrationPartitions(): Promise<number> {
    const names = await this.names();
    for (const name of names) await this.sql.query(`DROP TABLE "${name.replace(/"/g, '""')}"`);
    // As the worker does when it drops one: the counting triggers look partitions up there.
    await this.sql.query(`DELETE FROM delivery_partitions WHERE name = ANY ($1)`, [names]);
    return names.length;
  }

  close(): Promise<void> {
    return this.sql.end();
  }
}

/** Polls the partition list and tells when each partition disappeared. */
export class DropWatcher {
  readonly drops: PartitionDrop[] = [];
  private known: Set<string> | null = null;
  private polledAt = 0;

  constructor(private readonly probe: PartitionProbe) {}

  async poll(now: number): Promise<void> {
    const names = new Set(await this.probe.names());
    if (this.known) for (const name of this.known) if (!names.has(name)) this.drops.push({ at: (this.polledAt + now) / 2, name });
    this.known = names;
    this.polledAt = now;
  }
}

/**
 * Drops close together (one purge run detaches and drops a span's partition of each table in turn)
 * as one event: [first, last] on the bench clock.
 */
export function dropEvents(drops: readonly PartitionDrop[], gapMs: number): { from: number; to: number; names: string[] }[] {
  const events: { from: number; to: number; names: string[] }[] = [];
  for (const drop of [...drops].sort((a, b) => a.at - b.at)) {
    const last = events[events.length - 1];
    if (last && drop.at - last.to <= gapMs) {
      last.to = drop.at;
      last.names.push(drop.name);
    } else events.push({ from: drop.at, to: drop.at, names: [drop.name] });
  }
  return events;
}
