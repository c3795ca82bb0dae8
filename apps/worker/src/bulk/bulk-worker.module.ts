import { Module } from '@nestjs/common';
import { BulkJobsDomainModule } from '@hookline/bulk-jobs';
import { BulkChunkProcessor } from './bulk-chunk.processor';
import { BulkChunkSweeper } from './bulk-chunk.sweeper';

/** Bulk ingestion (docs/contract.md#bulk-ingestion): publishing the chunks the API staged. */
@Module({ imports: [BulkJobsDomainModule], providers: [BulkChunkProcessor, BulkChunkSweeper] })
export class BulkWorkerModule {}
