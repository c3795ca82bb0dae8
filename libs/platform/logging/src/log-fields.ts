import { AsyncLocalStorage } from 'node:async_hooks';
import { activeTraceFields } from '@hookline/tracing';

/** Fields every line logged inside `withLogFields` carries (e.g. the delivery a job is sending). */
const scoped = new AsyncLocalStorage<Record<string, string>>();

export function withLogFields<T>(fields: Record<string, string>, work: () => T): T {
  return scoped.run({ ...scoped.getStore(), ...fields }, work);
}

/**
 * What pino's `mixin` adds to each line: `trace_id` and `span_id` of the active span (when tracing
 * is on), and the fields of the enclosing `withLogFields`.
 */
export function logFields(): Record<string, string> {
  const fields = scoped.getStore();
  const trace = activeTraceFields();
  return fields ? { ...trace, ...fields } : trace;
}
