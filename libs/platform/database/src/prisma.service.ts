import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { PrismaClient } from './generated/prisma/client';
import { SESSION_SETTINGS } from './session-settings';

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const pool = new Pool({ connectionString: config.DATABASE_URL, max: 20, ...SESSION_SETTINGS });
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  }

  /** Last, so queue workers finishing their jobs at shutdown can still record them. */
  async onApplicationShutdown() {
    await this.$disconnect();
  }
}
