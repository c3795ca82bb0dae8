export * from './group-commit';
export * from './isolate-failures';
