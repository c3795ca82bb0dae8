import { Module } from '@nestjs/common';
import { ReplaysModule } from '@hookline/replays';
import { ReplaySweeper } from './replay-sweeper';
import { ReplayProcessor } from './replay.processor';

/** Bulk replays and recoveries, run in the background (docs/contract.md#the-rest-api). */
@Module({ imports: [ReplaysModule], providers: [ReplayProcessor, ReplaySweeper] })
export class ReplaysWorkerModule {}
