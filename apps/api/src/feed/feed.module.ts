import { Module } from '@nestjs/common';
import { FeedDomainModule } from '@hookline/feed';
import { FeedController } from './feed.controller';

@Module({ imports: [FeedDomainModule], controllers: [FeedController] })
export class FeedModule {}
