import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { APP_CONFIG, AppConfig, ConfigModule } from '@hookline/config';
import { DatabaseModule } from '@hookline/database';
import { DeliveriesDomainModule } from '@hookline/deliveries';
import { HttpDeliveryClient } from '@hookline/http-delivery';
import { loggingModule } from '@hookline/logging';
import { SubscriptionsDomainModule } from '@hookline/subscriptions';
import { QueueModule } from '@hookline/queue';
import { TracingShutdown } from '@hookline/tracing';
import { BulkWorkerModule } from './bulk/bulk-worker.module';
import { AttemptRecorder } from './delivery/attempt-recorder';
import { assertLockOutlivesRequest, deliveryWorkerOptions } from './delivery/delivery-worker.options';
import { DeliveryUpdatesPublisher } from './delivery/delivery-updates.publisher';
import { DeliveryProcessor } from './delivery/delivery.processor';
import { DeliveryWorkers } from './delivery/delivery-workers';
import { SubscriptionCache } from './delivery/subscription-cache';
import { DeliveryCancellationRepository } from './delivery/delivery-cancellation.repository';
import { DeliveryClaims } from './delivery/delivery-claims';
import { InternalFailures } from './delivery/internal-failures';
import { WorkingSlots } from './delivery/working-slots';
import { PartitionMaintainer } from './maintenance/partition-maintainer';
import { PartitionsRepository } from './maintenance/partitions.repository';
import { PortalDataPurger } from './maintenance/portal-data-purger';
import { RetentionPurger } from './maintenance/retention-purger';
import { RetentionRepository } from './maintenance/retention.repository';
import { StatusCountsFolder } from './maintenance/status-counts-folder';
import { Sweeper } from './maintenance/sweeper';
import { EndpointHealthModule } from './endpoint-health/endpoint-health.module';
import { RedisPolicyCheck } from './redis-policy.check';
import { WorkerShutdown } from './worker-shutdown';
import { ReplaysWorkerModule } from './replays/replays-worker.module';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    assertLockOutlivesRequest(deliveryWorkerOptions(config), config);
    return {
      module: WorkerModule,
      imports: [
        DiscoveryModule,
        ConfigModule.forRoot(config),
        loggingModule(config),
        DatabaseModule,
        QueueModule.forRoot(config),
        DeliveriesDomainModule,
        SubscriptionsDomainModule,
        ReplaysWorkerModule,
        BulkWorkerModule,
        EndpointHealthModule,
      ],
      providers: [
        RedisPolicyCheck,
        WorkerShutdown,
        TracingShutdown,
        DeliveryProcessor,
        DeliveryWorkers,
        SubscriptionCache,
        AttemptRecorder,
        DeliveryUpdatesPublisher,
        DeliveryCancellationRepository,
        DeliveryClaims,
        InternalFailures,
        {
          provide: WorkingSlots,
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => new WorkingSlots(c.WORKER_CONCURRENCY, Math.min(c.WORKER_BACKLOG_SLOTS, c.WORKER_CONCURRENCY)),
        },
        Sweeper,
        StatusCountsFolder,
        RetentionPurger,
        RetentionRepository,
        PartitionMaintainer,
        PartitionsRepository,
        PortalDataPurger,
        {
          provide: HttpDeliveryClient,
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) =>
            new HttpDeliveryClient({
              timeoutMs: c.DELIVERY_TIMEOUT_MS,
              allowPrivateNetworks: c.ALLOW_PRIVATE_NETWORKS,
              connections: Math.min(c.WORKER_CONCURRENCY, 256),
              proxyUrl: c.EGRESS_PROXY_URL,
            }),
        },
      ],
    };
  }
}
