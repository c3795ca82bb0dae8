import { Module } from '@nestjs/common';
import { EventTypesService } from './event-types.service';

@Module({ providers: [EventTypesService], exports: [EventTypesService] })
export class EventTypesDomainModule {}
