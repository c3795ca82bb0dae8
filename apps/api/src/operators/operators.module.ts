import { Module } from '@nestjs/common';
import { DeadLettersModule } from '@hookline/dead-letters';
import { EndpointHealthModule } from '@hookline/endpoint-health';
import { ReplaysModule } from '@hookline/replays';
import { StatsModule } from '@hookline/stats';
import { SubscriptionsDomainModule } from '@hookline/subscriptions';
import { DeadLettersController } from './dead-letters.controller';
import { ReplaysController } from './replays.controller';
import { StatsController } from './stats.controller';
import { SubscriptionRecoveryController } from './subscription-recovery.controller';
import { SubscriptionsOverviewController } from './subscriptions-overview.controller';
import { TenantReplaysController } from './tenant-replays.controller';

@Module({
  imports: [DeadLettersModule, EndpointHealthModule, ReplaysModule, StatsModule, SubscriptionsDomainModule],
  controllers: [DeadLettersController, ReplaysController, StatsController, SubscriptionRecoveryController, TenantReplaysController, SubscriptionsOverviewController],
})
export class OperatorsModule {}
