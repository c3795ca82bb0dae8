import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { APP_CONFIG, AppConfig } from '@hookline/config';

/** Connections for bulk data per process: uploads write one chunk at a time, workers run two chunks. */
const POOL_SIZE = 4;

/**
 * A small pg pool for the statements that carry a whole chunk (megabytes of parameters).
 * Prisma 7 keeps part of every large raw-query parameter reachable (measured: the heap grew by
 * ~1.3 MB per 2 MB chunk, after full GCs, through 100 chunks), which would make a 1 GB upload cost
 * the API ~700 MB; node-postgres directly stays flat. Small statements still go through Prisma.
 */
@Injectable()
export class BulkSql implements OnModuleDestroy {
  readonly pool: Pool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = new Pool({ connectionString: config.DATABASE_URL, max: POOL_SIZE, application_name: 'hookline-bulk' });
    // An idle client that loses its connection is dropped by the pool; nothing to do here.
    this.pool.on('error', () => undefined);
  }

  async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  /** `work` inside BEGIN … COMMIT on one connection; rolled back if it throws. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>, statementTimeoutMs: number): Promise<T> {
    const client = await this.pool.connect();
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

  async onModuleDestroy() {
    await this.pool.end();
  }
}
