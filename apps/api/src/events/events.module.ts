import { Module } from '@nestjs/common';
import { DeliveriesDomainModule } from '@hookline/deliveries';
import { EventsDomainModule } from '@hookline/events';
import { SubscriptionsDomainModule } from '@hookline/subscriptions';
import { EventsController } from './events.controller';
import { SubscriptionTestController } from './subscription-test.controller';

@Module({
  imports: [EventsDomainModule, DeliveriesDomainModule, SubscriptionsDomainModule],
  controllers: [EventsController, SubscriptionTestController],
})
export class EventsModule {}
