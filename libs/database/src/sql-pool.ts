import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '@hookline/config';

/** Statements on the hot paths are batched (group commit), so a few connections carry them all. */
const POOL_SIZE = 8;

/**
 * node-postgres for the hot paths' set-based statements (publish, authentication lookups, attempt
 * recording): a query through it costs a fraction of a Prisma call's CPU, and it does not keep
 * large parameters reachable as Prisma 7's raw queries do. Everything else goes through Prisma.
 */
@Injectable()
export class SqlPool extends Pool implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({ connectionString: config.DATABASE_URL, max: POOL_SIZE, application_name: 'hookline' });
    // An idle client that loses its connection is dropped by the pool; a query in flight gets the error.
    this.on('error', () => undefined);
  }

  async rows<T>(sql: string, params: unknown[]): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  /** Last, with Prisma, so queue workers finishing their jobs at shutdown can still record them. */
  async onApplicationShutdown() {
    if (!this.ended) await this.end();
  }
}
