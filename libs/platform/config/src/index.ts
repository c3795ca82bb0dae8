export * from './app-config';
export * from './config.module';
export * from './duration';
export * from './version';
