import { Module } from '@nestjs/common';
import { EventTypesDomainModule } from '@hookline/event-types';
import { BulkPublishService } from './bulk-publish.service';
import { EventsService } from './events.service';
import { PublishBatcher } from './publish-batcher';

/**
 * Publishing, for both apps (the worker publishes bulk chunks). Nest makes one EventTypesDomainModule
 * per app, so publishes read the same EventTypeValidators and EventTypeSchemaCache that EventTypesService uses and clears.
 */
@Module({
  imports: [EventTypesDomainModule],
  providers: [EventsService, BulkPublishService, PublishBatcher],
  exports: [EventsService, BulkPublishService],
})
export class EventsDomainModule {}
