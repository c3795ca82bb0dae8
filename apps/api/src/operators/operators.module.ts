import { Module } from '@nestjs/common';
import { OperatorsDomainModule } from '@hookline/operators';
import { DeadLettersController } from './dead-letters.controller';
import { ReplaysController } from './replays.controller';
import { StatsController } from './stats.controller';
import { SubscriptionRecoveryController } from './subscription-recovery.controller';
import { TenantReplaysController } from './tenant-replays.controller';

@Module({
  imports: [OperatorsDomainModule],
  controllers: [DeadLettersController, ReplaysController, StatsController, SubscriptionRecoveryController, TenantReplaysController],
})
export class OperatorsModule {}
