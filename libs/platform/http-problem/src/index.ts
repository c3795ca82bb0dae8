export * from './problem-details.filter';
export * from './problem.exception';
export * from './json-body.middleware';
export * from './validation-messages';
export * from './edge-validation.pipe';
export * from './json-body.guard';
export * from './readable-path.middleware';
export * from './unreadable-request';
