import { Module } from '@nestjs/common';
import { OperatorsDomainModule } from '@hookline/operators';
import { ReplaySweeper } from './replay-sweeper';
import { ReplayProcessor } from './replay.processor';

/** Bulk replays and recoveries, run in the background (docs/contract.md#the-rest-api). */
@Module({ imports: [OperatorsDomainModule], providers: [ReplayProcessor, ReplaySweeper] })
export class ReplaysWorkerModule {}
