export * from './next-attempt';
export * from './outcome';
export * from './retry-after';
export * from './retry-schedule';
