import { Module } from '@nestjs/common';
import { BulkPublishService } from './bulk-publish.service';
import { EventsService } from './events.service';
import { PublishBatcher } from './publish-batcher';

@Module({
  providers: [EventsService, BulkPublishService, PublishBatcher],
  exports: [EventsService, BulkPublishService],
})
export class EventsDomainModule {}
