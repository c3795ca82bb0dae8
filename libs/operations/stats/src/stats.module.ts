import { Module } from '@nestjs/common';
import { DeliveriesDomainModule } from '@hookline/deliveries';
import { StatsService } from './stats.service';

/** Needs the global Database, Config and Queue modules, which the api, the worker and the CLI import. */
@Module({
  imports: [DeliveriesDomainModule],
  providers: [StatsService],
  exports: [StatsService],
})
export class StatsModule {}
