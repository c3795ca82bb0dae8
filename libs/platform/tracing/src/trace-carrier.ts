import type { Context } from '@opentelemetry/api';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';

/** The W3C trace context headers, as carried in a delivery job and (traceparent only) stored with the event. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/** version-traceid-spanid-flags, lower-case hex, ids not all zero. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

export function isTraceparent(value: unknown): value is string {
  return typeof value === 'string' && TRACEPARENT.test(value);
}

type HeaderValue = string | string[] | undefined;

/**
 * The trace a publish belongs to: the active span when tracing is on; when it is off, the
 * producer's own `traceparent` passed on unchanged, so a collector can still join the pieces.
 * Null when neither: nothing is stored or carried.
 */
export function publishTraceCarrier(incoming?: Record<string, HeaderValue>): TraceCarrier | null {
  const active = trace.getActiveSpan()?.spanContext();
  if (active && trace.isSpanContextValid(active)) {
    const headers: Record<string, string> = {};
    propagation.inject(context.active(), headers);
    if (isTraceparent(headers.traceparent)) return withState(headers.traceparent, headers.tracestate);
  }
  const traceparent = first(incoming?.traceparent)?.trim().toLowerCase();
  return isTraceparent(traceparent) ? withState(traceparent, first(incoming?.tracestate)) : null;
}

/** The context to start a span under: the carried trace's, or a new trace when there is none. */
export function contextFrom(carrier: { traceparent?: string | null; tracestate?: string | null } | null | undefined): Context {
  if (!carrier?.traceparent) return ROOT_CONTEXT;
  const headers: Record<string, string> = { traceparent: carrier.traceparent };
  if (carrier.tracestate) headers.tracestate = carrier.tracestate;
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** `trace_id` and `span_id` of the active span, for log lines; empty when none is active. */
export function activeTraceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  return span && trace.isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

function withState(traceparent: string, tracestate: string | undefined): TraceCarrier {
  return tracestate?.trim() ? { traceparent, tracestate: tracestate.trim() } : { traceparent };
}

function first(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
