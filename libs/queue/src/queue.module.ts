import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '@hookline/config';
import { DeliveryEnqueuer } from './delivery-enqueuer.service';
import { QueueConnections } from './queue-connections';
import { QUEUE_NAMES } from './queue-names';
import { RedisModule, redisOptions } from './redis';
import { TenantLanes } from './tenant-lanes';

@Global()
@Module({})
export class QueueModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: QueueModule,
      imports: [
        RedisModule,
        BullModule.forRoot({ connection: redisOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX }),
        BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
      ],
      providers: [DeliveryEnqueuer, TenantLanes, QueueConnections],
      exports: [BullModule, RedisModule, DeliveryEnqueuer, TenantLanes, QueueConnections],
    };
  }
}
