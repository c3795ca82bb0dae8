export * from './dead-letters.service';
export * from './dead-letters.module';
