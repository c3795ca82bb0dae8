import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '@hookline/config';
import { BullConnection } from './bull-connection';
import { DeliveryEnqueuer } from './delivery-enqueuer.service';
import { DeliveryQueues } from './delivery-queues';
import { QueueConnections } from './queue-connections';
import { SHARED_QUEUE_NAMES } from './queue-names';
import { RedisModule } from './redis';
import { deliveryQueueNames, deliveryQueuePrefix, redisKeyspace, sharedQueuePrefix } from './redis-keyspace';
import { TenantLanes } from './tenant-lanes';

@Global()
@Module({})
export class QueueModule {
  static forRoot(config: AppConfig): DynamicModule {
    const keyspace = redisKeyspace(config);
    const bull = new BullConnection(config);
    return {
      module: QueueModule,
      imports: [
        RedisModule,
        BullModule.forRoot({ connection: bull.connection, prefix: sharedQueuePrefix(keyspace) }),
        BullModule.registerQueue(
          ...deliveryQueueNames(keyspace).map((name, shard) => ({ name, prefix: deliveryQueuePrefix(keyspace, shard) })),
          ...SHARED_QUEUE_NAMES.map((name) => ({ name })),
        ),
      ],
      providers: [{ provide: BullConnection, useValue: bull }, DeliveryQueues, DeliveryEnqueuer, TenantLanes, QueueConnections],
      exports: [BullModule, RedisModule, BullConnection, DeliveryQueues, DeliveryEnqueuer, TenantLanes, QueueConnections],
    };
  }
}
