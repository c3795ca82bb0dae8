export * from './attempt-outcome';
export * from './delivery-errors';
export * from './guarded-connector';
export * from './http-delivery.client';
export * from './proxy-tunnel';
