export * from './factories';
export * from './isolated-database';
export * from './recording-receiver';
export * from './test-api';
export * from './test-config';
export * from './test-stack';
export * from './test-worker';
export * from './worker-process';
