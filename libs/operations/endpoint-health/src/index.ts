export * from './circuit-breakers.service';
export * from './endpoint-health.module';
