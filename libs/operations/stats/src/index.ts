export * from './stats.service';
export * from './stats.module';
