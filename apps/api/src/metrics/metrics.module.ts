import { Module } from '@nestjs/common';
import { OperatorsDomainModule } from '@hookline/operators';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';

@Module({ imports: [OperatorsDomainModule], controllers: [MetricsController], providers: [MetricsRegistry] })
export class MetricsModule {}
