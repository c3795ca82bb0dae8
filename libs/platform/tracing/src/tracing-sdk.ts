import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { httpRouteOf } from './http-route';
import type { TracingEnv } from './tracing-settings';
import { isQuietPath, otlpProtocol } from './tracing-settings';

/**
 * The OpenTelemetry SDK, configured by the standard OTEL_* variables (endpoint, headers, sampler,
 * resource attributes, batch delays are read by the SDK itself). Loaded only when tracing is on.
 *
 * pg and ioredis spans only under a span of ours: without a parent they would be BullMQ's polling
 * and the maintenance tasks' queries, thousands of one-span traces a minute.
 */
export function createTracingSdk(defaultServiceName: string, env: TracingEnv): NodeSDK {
  const traceExporter = otlpProtocol(env) === 'http/json' ? new JsonTraceExporter() : new ProtobufTraceExporter();
  return new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME?.trim() ? undefined : defaultServiceName,
    traceExporter,
    // Metrics stay with Prometheus (/metrics) and logs with stdout: no OTLP exporters for either.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => isQuietPath(request.url),
        // No Fastify instrumentation (a span per hook is noise): the route the router matched names the span.
        applyCustomAttributesOnSpan: (span, request) => {
          const route = httpRouteOf(request);
          if (route === undefined) return;
          span.setAttribute('http.route', route);
          span.updateName(`${(request as { method?: string }).method ?? 'GET'} ${route}`);
        },
        // Outgoing calls over node:http are the SDK's own exports; the worker's attempts go through undici.
        ignoreOutgoingRequestHook: () => true,
      }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
}
