import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { SESSION_SETTINGS } from './session-settings';

/**
 * node-postgres where Prisma costs too much: the hot paths' set-based statements (publish,
 * authentication lookups, attempt recording), where a query through it costs a fraction of a
 * Prisma call's CPU; and the statements that carry megabytes of parameters, which Prisma 7 keeps
 * partly reachable (measured: the heap grew by ~1.3 MB per 2 MB bulk chunk, after full GCs, through
 * 100 chunks) while node-postgres stays flat. Everything else goes through Prisma.
 *
 * Two instances, two pools: SqlPool for the hot paths and BulkSqlPool for bulk chunks, so a
 * multi-megabyte chunk never holds a connection a publish is waiting for.
 */
@Injectable()
export class SqlPool extends Pool implements OnApplicationShutdown {
  /** Statements on the hot paths are batched (group commit), so a few connections carry them all. */
  protected static readonly size: number = 8;
  protected static readonly applicationName: string = 'hookline';

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const kind = new.target as typeof SqlPool;
    super({ connectionString: config.DATABASE_URL, max: kind.size, application_name: kind.applicationName, ...SESSION_SETTINGS });
    // An idle client that loses its connection is dropped by the pool; a query in flight gets the error.
    this.on('error', () => undefined);
  }

  async rows<T>(sql: string, params: unknown[]): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  /** `work` inside BEGIN … COMMIT on one connection, with a statement timeout; rolled back if it throws. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>, statementTimeoutMs: number): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL statement_timeout = ${Math.floor(statementTimeoutMs)}`);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Last, with Prisma, so queue workers finishing their jobs at shutdown can still record them. */
  async onApplicationShutdown() {
    if (!this.ended) await this.end();
  }
}

/** The pool for bulk chunks: uploads write one chunk at a time, workers run two chunks. */
@Injectable()
export class BulkSqlPool extends SqlPool {
  protected static override readonly size: number = 4;
  protected static override readonly applicationName: string = 'hookline-bulk';
}
