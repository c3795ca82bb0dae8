import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ZodValidationPipe } from 'nestjs-zod';
import { ApiKeyGuard, AuthModule } from '@hookline/auth';
import { AppConfig, ConfigModule } from '@hookline/config';
import { DatabaseModule } from '@hookline/database';
import { ProblemDetailsFilter } from '@hookline/http-problem';
import { loggingModule } from '@hookline/logging';
import { QueueModule } from '@hookline/queue';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { BulkJobsModule } from './bulk-jobs/bulk-jobs.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { DeliveryStatsApiModule } from './delivery-stats/delivery-stats.module';
import { EventTypesModule } from './event-types/event-types.module';
import { EventsModule } from './events/events.module';
import { FeedModule } from './feed/feed.module';
import { HealthController } from './health/health.controller';
import { MetricsModule } from './metrics/metrics.module';
import { OperatorsModule } from './operators/operators.module';
import { PortalSessionsModule } from './portal-sessions/portal-sessions.module';
import { ApiRateLimitGuard } from './rate-limit/api-rate-limit.guard';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { TenantsModule } from './tenants/tenants.module';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule(config),
        DatabaseModule,
        QueueModule.forRoot(config),
        AuthModule,
        TenantsModule,
        ApiKeysModule,
        EventTypesModule,
        SubscriptionsModule,
        EventsModule,
        DeliveriesModule,
        BulkJobsModule,
        FeedModule,
        OperatorsModule,
        PortalSessionsModule,
        DeliveryStatsApiModule,
        MetricsModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_PIPE, useClass: ZodValidationPipe },
        // In this order: the rate limit counts per key, so it runs once the key is known.
        { provide: APP_GUARD, useExisting: ApiKeyGuard },
        { provide: APP_GUARD, useClass: ApiRateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
