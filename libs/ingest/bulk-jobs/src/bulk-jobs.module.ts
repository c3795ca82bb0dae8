import { Module } from '@nestjs/common';
import { BulkSqlPool } from '@hookline/database';
import { EventsDomainModule } from '@hookline/events';
import { BulkChunksService } from './bulk-chunks.service';
import { BulkJobsRepository } from './bulk-jobs.repository';
import { BulkJobsService } from './bulk-jobs.service';
import { BulkUploadService } from './bulk-upload.service';

/** Bulk ingestion for both apps: the API stages uploads, workers publish the chunks. */
@Module({
  imports: [EventsDomainModule],
  providers: [BulkSqlPool, BulkJobsRepository, BulkUploadService, BulkJobsService, BulkChunksService],
  exports: [BulkJobsRepository, BulkUploadService, BulkJobsService, BulkChunksService],
})
export class BulkJobsDomainModule {}
