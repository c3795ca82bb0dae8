import { Module } from '@nestjs/common';
import { EventTypesDomainModule } from '@hookline/event-types';
import { BulkPublishService } from './bulk-publish.service';
import { EventsService } from './events.service';
import { PublishBatcher } from './publish-batcher';

@Module({
  imports: [EventTypesDomainModule],
  providers: [EventsService, BulkPublishService, PublishBatcher],
  exports: [EventsService, BulkPublishService],
})
export class EventsDomainModule {}
