export * from './deliveries.module';
export * from './deliveries.service';
export * from './delivery-jobs.repository';
export * from './delivery-views';
export * from './created-window';
export * from './status-counts.repository';
