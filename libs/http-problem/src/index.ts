export * from './problem-details.filter';
export * from './problem.exception';
export * from './json-body.middleware';
