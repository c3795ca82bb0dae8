import { Module } from '@nestjs/common';
import { StatsModule } from '@hookline/stats';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';

@Module({ imports: [StatsModule], controllers: [MetricsController], providers: [MetricsRegistry] })
export class MetricsModule {}
