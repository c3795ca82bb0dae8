import { Module } from '@nestjs/common';
import { BulkJobsDomainModule } from '@hookline/bulk-jobs';
import { BulkJobsController } from './bulk-jobs.controller';

@Module({ imports: [BulkJobsDomainModule], controllers: [BulkJobsController] })
export class BulkJobsModule {}
