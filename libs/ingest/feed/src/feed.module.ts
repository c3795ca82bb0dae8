import { Module } from '@nestjs/common';
import { EventNotifications } from './event-notifications';
import { FeedRepository } from './feed.repository';
import { FeedService } from './feed.service';

@Module({ providers: [FeedRepository, FeedService, EventNotifications], exports: [FeedService] })
export class FeedDomainModule {}
