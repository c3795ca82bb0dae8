import { Injectable } from '@nestjs/common';
import type { ClientBase } from 'pg';
import { FOLD_LOCK_KEY } from '@hookline/deliveries';
import { SqlPool } from '@hookline/database';
import { idTime } from '@hookline/ids';
import { entirelyBefore, IdRange, parseRangeBound, partitionName, PARTITIONED_TABLES, spanPartition, startOfSpan, uncoveredParts } from './partition-ranges';

/** A client, or the pool itself for a one-off read. */
type Queryable = Pick<ClientBase, 'query'>;

export interface Partition extends IdRange {
  table: string;
  name: string;
  /** A DETACH … CONCURRENTLY that did not finish (its connection died): FINALIZE completes it. */
  detachPending: boolean;
}

/** Serialises the workers creating partitions; held for one transaction. */
const CREATE_LOCK_KEY = 'hookline.partitions';
/** Creating a few empty tables takes milliseconds; a lock wait longer than this is a problem to report. */
const CREATE_TIMEOUT_MS = 60_000;
/**
 * Dropping a detached partition drops its foreign keys, and with them their triggers on the tables
 * they reference (tenants, subscriptions, replays): an ACCESS EXCLUSIVE lock on each, for
 * milliseconds. Waiting for it behind a long reader of those tables would queue every publish
 * behind the drop, so the drop waits this long at most and is left to a later run otherwise.
 */
const DROP_LOCK_TIMEOUT = '200ms';
const LOCK_NOT_AVAILABLE = '55P03';
/** A partition detached by a run that died before dropping it: a standalone table still named as a partition (a day's, a finer span's, or the legacy one). */
const LEFTOVER_NAME = new RegExp(`^(${PARTITIONED_TABLES.map((t) => t.table).join('|')})_(p\\d{8}|p\\d{12}|legacy)$`);

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * The partitions of events, deliveries and attempts: creating spans (days by default) ahead, and
 * dropping those past retention. Both are catalog operations whatever the rows: a new span is an
 * empty table attached (SHARE UPDATE EXCLUSIVE on the parent: publishes and reads go on), an old
 * one is detached CONCURRENTLY (the same lock) and dropped, never deleted row by row.
 */
@Injectable()
export class PartitionsRepository {
  constructor(private readonly sql: SqlPool) {}

  async list(client: Queryable = this.sql): Promise<Partition[]> {
    const { rows } = await client.query<{ table: string; name: string; bound: string; detachPending: boolean }>(
      `SELECT p.relname AS "table", c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound, i.inhdetachpending AS "detachPending"
         FROM pg_inherits i
         JOIN pg_class p ON p.oid = i.inhparent
         JOIN pg_class c ON c.oid = i.inhrelid
        WHERE p.relnamespace = current_schema()::regnamespace AND p.relname = ANY ($1)
        ORDER BY p.relname, c.relname`,
      [PARTITIONED_TABLES.map((t) => t.table)],
    );
    return rows.flatMap((row) => {
      const range = parseRangeBound(row.bound);
      return range ? [{ table: row.table, name: row.name, detachPending: row.detachPending, ...range }] : [];
    });
  }

  /**
   * Makes sure every span of `spanMs` (PARTITION_SPAN) from the one `fromMs` falls in to the one
   * `toMs` falls in has a partition in each table. What existing partitions already cover (the
   * legacy one, or those of an earlier span) is left to them: only the parts of a span they leave
   * uncovered get a partition, so spans can change without a gap or an overlap. Idempotent;
   * workers doing it at once queue on an advisory lock and the later ones find nothing to do.
   * Resolves to the partitions created.
   */
  async ensure(fromMs: number, toMs: number, spanMs: number): Promise<string[]> {
    return this.sql.transaction(async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [CREATE_LOCK_KEY]);
      const existing = await this.list(client);
      const created: string[] = [];
      for (const { table, prefix } of PARTITIONED_TABLES) {
        const covered = existing.filter((p) => p.table === table);
        for (let start = startOfSpan(fromMs, spanMs); start <= startOfSpan(toMs, spanMs); start += spanMs) {
          for (const part of uncoveredParts(spanPartition(table, prefix, start, spanMs), covered)) {
            const name = partitionName(table, idTime(part.from), idTime(part.to));
            // Attached rather than CREATE … PARTITION OF, which would lock the parent against every publish.
            await client.query(`CREATE TABLE ${quote(name)} (LIKE ${quote(table)} INCLUDING DEFAULTS)`);
            await client.query(`ALTER TABLE ${quote(table)} ATTACH PARTITION ${quote(name)} FOR VALUES FROM (${literal(part.from)}) TO (${literal(part.to)})`);
            if (table === 'deliveries') await this.listForCounting(client, name, part.from);
            created.push(name);
          }
        }
      }
      return created;
    }, CREATE_TIMEOUT_MS);
  }

  /**
   * Detaches and drops every partition whose ids were all made before `cutoffMs`, one at a time, on
   * `client` (outside any transaction: DETACH … CONCURRENTLY refuses to run in one). `shouldStop` is
   * asked between two partitions. Resolves to the partitions dropped.
   */
  async dropBefore(client: Queryable, cutoffMs: number, shouldStop: () => boolean): Promise<string[]> {
    const dropped: string[] = [];
    const deferred = new Set<string>();
    const partitions = await this.list(client);
    // A detach left pending first: Postgres refuses another concurrent detach on that table until it is finalized.
    const pendingFirst = [...partitions.filter((p) => p.detachPending), ...partitions.filter((p) => !p.detachPending && entirelyBefore(p, cutoffMs))];
    for (const partition of pendingFirst) {
      if (shouldStop()) return dropped;
      const how = partition.detachPending ? 'FINALIZE' : 'CONCURRENTLY';
      await client.query(`ALTER TABLE ${quote(partition.table)} DETACH PARTITION ${quote(partition.name)} ${how}`);
      if (await this.drop(client, partition.name)) dropped.push(partition.name);
      else deferred.add(partition.name);
    }
    const { rows } = await client.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' AND NOT relispartition`,
    );
    for (const { name } of rows.filter((row) => LEFTOVER_NAME.test(row.name) && !deferred.has(row.name))) {
      if (shouldStop()) return dropped;
      if (await this.drop(client, name)) dropped.push(name);
    }
    return dropped;
  }

  /**
   * Lists a new deliveries partition for the counting triggers, in the transaction that attaches it.
   * A row left by a partition dropped by hand, under this name or from this id, is replaced.
   */
  private async listForCounting(client: Queryable, name: string, fromId: string): Promise<void> {
    await client.query(`DELETE FROM delivery_partitions WHERE name = $1 OR from_id = $2`, [name, fromId]);
    await client.query(`INSERT INTO delivery_partitions (name, from_id) VALUES ($1, $2)`, [name, fromId]);
  }

  /**
   * Drops a detached partition; false when its locks were not to be had within DROP_LOCK_TIMEOUT
   * (the table stays, detached, and a later run drops it). A deliveries partition first takes its
   * rows out of the status counters (the triggers on the parent never see a dropped partition's
   * rows), in the same transaction, so a run that dies in between leaves the table and its counts
   * as they were.
   */
  private async drop(client: Queryable, name: string): Promise<boolean> {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL lock_timeout = '${DROP_LOCK_TIMEOUT}'`);
      if (name.startsWith('deliveries_')) await this.uncount(client, name);
      await client.query(`DROP TABLE ${quote(name)}`);
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK');
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return false;
      throw error;
    }
  }

  /**
   * Takes a detached deliveries partition's rows out of the status counters, under the fold's lock
   * (the counts and deltas read here are not being moved meanwhile). No delta can still come for it:
   * detaching waited for every transaction that could write to it. A partition counted from its
   * first row leaves by its counts per tenant and status (delivery_partition_counts; its deltas not
   * yet folded are simply deleted), whatever its size. One that existed before partitions were
   * counted, or a table detached before then (no row in delivery_partitions), has its rows counted.
   */
  private async uncount(client: Queryable, name: string): Promise<void> {
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [FOLD_LOCK_KEY]);
    const { rows } = await client.query<{ counted: boolean }>(`DELETE FROM delivery_partitions WHERE name = $1 RETURNING counted`, [name]);
    const subtracted = rows[0]?.counted
      ? `SELECT tenant_id, status, -n AS n FROM counted`
      : // Its deltas not yet folded move into the totals, which then lose every row the table holds.
        `SELECT tenant_id, status, delta AS n FROM unfolded UNION ALL SELECT tenant_id, status, -count(*) FROM ${quote(name)} GROUP BY 1, 2`;
    await client.query(
      `WITH counted AS (
         DELETE FROM delivery_partition_counts WHERE partition = $1 RETURNING tenant_id, status, n
       ), unfolded AS (
         DELETE FROM delivery_status_deltas WHERE partition = $1 RETURNING tenant_id, status, delta
       )
       INSERT INTO delivery_status_counts AS c (tenant_id, status, n)
       SELECT tenant_id, status, sum(n) FROM (${subtracted}) AS gone GROUP BY 1, 2
       ON CONFLICT (tenant_id, status) DO UPDATE SET n = c.n + EXCLUDED.n`,
      [name],
    );
  }
}
