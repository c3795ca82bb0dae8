import { Module } from '@nestjs/common';
import { SubscriptionsDomainModule } from '@hookline/subscriptions';
import { SubscriptionsController } from './subscriptions.controller';

@Module({ imports: [SubscriptionsDomainModule], controllers: [SubscriptionsController] })
export class SubscriptionsModule {}
