// Only @opentelemetry/api here: the SDK (tracing-sdk.ts) is required by startTracing when tracing is on.
export * from './start-tracing';
export * from './trace-carrier';
export * from './spans';
export { isQuietPath, otlpProtocol, tracingWanted } from './tracing-settings';
export * from './http-route';
