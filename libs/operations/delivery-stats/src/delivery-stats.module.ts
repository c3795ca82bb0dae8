import { Module } from '@nestjs/common';
import { DeliveryStatsService } from './delivery-stats.service';

@Module({ providers: [DeliveryStatsService], exports: [DeliveryStatsService] })
export class DeliveryStatsDomainModule {}
