import { Module } from '@nestjs/common';
import { DeadLettersModule } from '@hookline/dead-letters';
import { EndpointHealthModule } from '@hookline/endpoint-health';
import { ReplaysModule } from '@hookline/replays';
import { StatsModule } from '@hookline/stats';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';

@Module({ imports: [DeadLettersModule, EndpointHealthModule, ReplaysModule, StatsModule], controllers: [MetricsController], providers: [MetricsRegistry] })
export class MetricsModule {}
