import type { Metadata } from '@grpc/grpc-js';
import type { TraceCarrier } from '@hookline/tracing';
import { contextFrom, inSpan, publishTraceCarrier, SpanKind } from '@hookline/tracing';

/**
 * A gRPC call in its own SERVER span, continuing the caller's W3C `traceparent` metadata (no
 * instrumentation does it for @grpc/grpc-js here); `work` gets the trace its publishes carry.
 */
export function inGrpcSpan<T>(method: string, metadata: Metadata, work: (trace: TraceCarrier | null) => Promise<T>): Promise<T> {
  const incoming = { traceparent: text(metadata.get('traceparent')[0]), tracestate: text(metadata.get('tracestate')[0]) };
  const attributes = { 'rpc.system': 'grpc', 'rpc.service': 'hookline.v1.EventService', 'rpc.method': method };
  return inSpan(`hookline.v1.EventService/${method}`, { kind: SpanKind.SERVER, attributes, parent: contextFrom(incoming) }, () => work(publishTraceCarrier(incoming)));
}

function text(value: string | Buffer | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
