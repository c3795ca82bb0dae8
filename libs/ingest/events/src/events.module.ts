import { Module } from '@nestjs/common';
import { EventTypesDomainModule } from '@hookline/event-types';
import { BulkPublishService } from './bulk-publish.service';
import { EventTypeValidators } from './event-type-validators';
import { EventsService } from './events.service';
import { PublishBatcher } from './publish-batcher';

/**
 * Publishing, for both apps (the worker publishes bulk chunks). Nest makes one EventTypesDomainModule
 * per app, so publishes read the same EventTypeSchemaCache that EventTypesService clears.
 */
@Module({
  imports: [EventTypesDomainModule],
  providers: [EventsService, BulkPublishService, PublishBatcher, EventTypeValidators],
  exports: [EventsService, BulkPublishService],
})
export class EventsDomainModule {}
