export * from './event-type-name';
export * from './event-type-schema-cache';
export * from './event-type-validators';
export * from './event-types.module';
export * from './event-types.service';
export * from './json-schema';
