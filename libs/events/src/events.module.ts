import { Module } from '@nestjs/common';
import { EventTypesDomainModule } from '@hookline/event-types';
import { EventsService } from './events.service';

@Module({ imports: [EventTypesDomainModule], providers: [EventsService], exports: [EventsService] })
export class EventsDomainModule {}
