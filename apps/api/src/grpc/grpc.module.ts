import { Module } from '@nestjs/common';
import { AuthModule } from '@hookline/auth';
import { EventsDomainModule } from '@hookline/events';
import { SubscriptionsDomainModule } from '@hookline/subscriptions';
import { DeliveryUpdatesModule } from '../delivery-updates/delivery-updates.module';
import { EventServiceHandlers } from './event-service.handlers';
import { GrpcAuth } from './grpc-auth';
import { GrpcServer } from './grpc.server';

/** docs/contract.md#grpc: hookline.v1.EventService on GRPC_PORT, beside the REST API in the same process. */
@Module({
  imports: [AuthModule, EventsDomainModule, SubscriptionsDomainModule, DeliveryUpdatesModule],
  providers: [GrpcAuth, EventServiceHandlers, GrpcServer],
  exports: [GrpcServer],
})
export class GrpcModule {}
