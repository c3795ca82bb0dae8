export * from './api-key.crypto';
export * from './api-key.guard';
export * from './api-keys.service';
export * from './auth.decorators';
export * from './auth.module';
export * from './portal-sessions.service';
export * from './principal';
export * from './principal-lookups';
