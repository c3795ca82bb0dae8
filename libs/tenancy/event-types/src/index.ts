export * from './event-type-name';
export * from './event-types.module';
export * from './event-types.service';
export * from './json-schema';
