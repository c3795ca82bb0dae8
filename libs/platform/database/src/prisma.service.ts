import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { PrismaClient } from './generated/prisma/client';
import { POSTGRES_SESSION_OPTIONS } from './session-options';

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({ adapter: new PrismaPg({ connectionString: config.DATABASE_URL, max: 20, options: POSTGRES_SESSION_OPTIONS }) });
  }

  /** Last, so queue workers finishing their jobs at shutdown can still record them. */
  async onApplicationShutdown() {
    await this.$disconnect();
  }
}
