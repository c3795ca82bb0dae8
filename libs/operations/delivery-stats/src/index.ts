export * from './delivery-stats.module';
export * from './delivery-stats.service';
export * from './latency-histogram';
export * from './series-buckets';
