import { Module } from '@nestjs/common';
import { OperatorsDomainModule } from '@hookline/operators';
import { SubscriptionsDomainModule } from '@hookline/subscriptions';
import { DeadLettersController } from './dead-letters.controller';
import { ReplaysController } from './replays.controller';
import { StatsController } from './stats.controller';
import { SubscriptionRecoveryController } from './subscription-recovery.controller';
import { SubscriptionsOverviewController } from './subscriptions-overview.controller';
import { TenantReplaysController } from './tenant-replays.controller';

@Module({
  imports: [OperatorsDomainModule, SubscriptionsDomainModule],
  controllers: [DeadLettersController, ReplaysController, StatsController, SubscriptionRecoveryController, TenantReplaysController, SubscriptionsOverviewController],
})
export class OperatorsModule {}
