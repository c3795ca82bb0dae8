import { Module } from '@nestjs/common';
import { EventTypesDomainModule } from '@hookline/event-types';
import { EventTypesController } from './event-types.controller';

@Module({ imports: [EventTypesDomainModule], controllers: [EventTypesController] })
export class EventTypesModule {}
