import { Module } from '@nestjs/common';
import { DeliveriesDomainModule } from '@hookline/deliveries';
import { ReplaysRepository } from './replays.repository';
import { ReplaysService } from './replays.service';
import { ReplayRunner } from './replay-runner';

/** Needs the global Database, Config and Queue modules, which the api, the worker and the CLI import. */
@Module({
  imports: [DeliveriesDomainModule],
  providers: [ReplaysRepository, ReplaysService, ReplayRunner],
  exports: [ReplaysService, ReplayRunner],
})
export class ReplaysModule {}
