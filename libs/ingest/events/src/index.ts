export * from './bulk-publish.service';
export * from './bulk-publish.sql';
export * from './event-views';
export * from './events.module';
export * from './events.service';
export * from './request-hash';
export * from './publish-batcher';
