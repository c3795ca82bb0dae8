export * from './event-notifications';
export * from './feed-cursor';
export * from './feed.module';
export * from './feed.repository';
export * from './feed.service';
