import { Module } from '@nestjs/common';
import { ChangeAnnouncer } from '@hookline/queue';
import { EventTypeSchemaCache } from './event-type-schema-cache';
import { EventTypeValidators } from './event-type-validators';
import { EventTypesService } from './event-types.service';

/** Needs the global Database, Config and Redis modules, which both apps import. */
@Module({
  providers: [EventTypesService, EventTypeSchemaCache, EventTypeValidators, ChangeAnnouncer],
  exports: [EventTypesService, EventTypeSchemaCache, EventTypeValidators],
})
export class EventTypesDomainModule {}
