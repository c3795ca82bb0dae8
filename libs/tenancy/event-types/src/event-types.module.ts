import { Module } from '@nestjs/common';
import { ChangeAnnouncer } from '@hookline/queue';
import { EventTypeSchemaCache } from './event-type-schema-cache';
import { EventTypesService } from './event-types.service';

/** Needs the global Database, Config and Redis modules, which both apps import. */
@Module({
  providers: [EventTypesService, EventTypeSchemaCache, ChangeAnnouncer],
  exports: [EventTypesService, EventTypeSchemaCache],
})
export class EventTypesDomainModule {}
