import { Module } from '@nestjs/common';
import { DeliveriesDomainModule } from '@hookline/deliveries';
import { CircuitBreakersService } from './circuit-breakers.service';
import { DeadLettersService } from './dead-letters.service';
import { ReplayRunner } from './replay-runner';
import { ReplaysRepository } from './replays.repository';
import { ReplaysService } from './replays.service';
import { StatsService } from './stats.service';

/** Needs the global Database, Config and Queue modules, which the api, the worker and the CLI import. */
@Module({
  imports: [DeliveriesDomainModule],
  providers: [DeadLettersService, ReplaysRepository, ReplaysService, ReplayRunner, StatsService, CircuitBreakersService],
  exports: [DeadLettersService, ReplaysService, ReplayRunner, StatsService, CircuitBreakersService],
})
export class OperatorsDomainModule {}
