/** The standard OTEL_* variables this process reads, for the decision whether to start the SDK at all. */
export type TracingEnv = Record<string, string | undefined>;

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** Tracing is on when an OTLP endpoint is configured and the SDK is not disabled. */
export function tracingWanted(env: TracingEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/** `http/protobuf` unless `http/json` is asked for (the traces-specific variable first, as the spec orders them). */
export function otlpProtocol(env: TracingEnv = process.env): OtlpProtocol {
  const value = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  if (!value || value === 'http/protobuf') return 'http/protobuf';
  if (value === 'http/json') return 'http/json';
  throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL: "${value}" is not supported (use http/protobuf or http/json)`);
}

/** Requests that are not worth a trace: probes and scrapes, every few seconds. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics', '/favicon.ico']);

export function isQuietPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0];
  return QUIET_PATHS.has(path) || path.startsWith('/assets/');
}
