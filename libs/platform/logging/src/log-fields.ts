import { activeTraceFields } from '@hookline/tracing';

/**
 * What pino's `mixin` adds to each line: `trace_id` and `span_id` of the active span (when tracing
 * is on). A line about one delivery passes its ids itself (the worker's `deliveryLogFields`): no
 * AsyncLocalStorage is kept around each job, because on Node 20 one turns on a hook for every
 * promise of the process.
 */
export function logFields(): Record<string, string> {
  return activeTraceFields();
}
