import { Module } from '@nestjs/common';
import { DeadLettersModule } from '@hookline/dead-letters';
import { EndpointHealthModule } from '@hookline/endpoint-health';
import { ReplaysModule } from '@hookline/replays';
import { StatsModule } from '@hookline/stats';
import { ReplaySweeper } from './replay-sweeper';
import { ReplayProcessor } from './replay.processor';

/** Bulk replays and recoveries, run in the background (docs/contract.md#the-rest-api). */
@Module({ imports: [DeadLettersModule, EndpointHealthModule, ReplaysModule, StatsModule], providers: [ReplayProcessor, ReplaySweeper] })
export class ReplaysWorkerModule {}
