import { Module } from '@nestjs/common';
import { DeliveryStatsDomainModule } from '@hookline/delivery-stats';
import { AdminStatsSeriesController, TenantStatsSeriesController } from './stats-series.controller';

@Module({ imports: [DeliveryStatsDomainModule], controllers: [TenantStatsSeriesController, AdminStatsSeriesController] })
export class DeliveryStatsApiModule {}
