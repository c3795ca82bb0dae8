import type { Attributes, Context, Span } from '@opentelemetry/api';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/** Hookline's own spans; a no-op tracer (nothing recorded, nearly free) when tracing is off. */
export const tracer = () => trace.getTracer('hookline');

export { SpanKind };
export type { Span };

/**
 * `work` inside a new active span, ended when it settles; a throw marks the span as an error.
 * Under `parent` when given, else under the active span.
 */
export async function inSpan<T>(name: string, options: { kind?: SpanKind; attributes?: Attributes; parent?: Context }, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  });
}
