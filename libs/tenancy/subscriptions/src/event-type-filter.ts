const SEGMENT = '[A-Za-z0-9_-]+';
const EVENT_TYPE_NAME = new RegExp(`^${SEGMENT}(?:\\.${SEGMENT})*$`);
const PREFIX_WILDCARD = new RegExp(`^${SEGMENT}(?:\\.${SEGMENT})*\\.\\*$`);

export const MAX_EVENT_TYPE_FILTERS = 100;
export const MAX_EVENT_TYPE_FILTER_LENGTH = 200;

/** `invoice.paid`, `invoice.*`, or `*` (every type, like an empty list). */
export function isEventTypeFilter(filter: string): boolean {
  if (filter.length > MAX_EVENT_TYPE_FILTER_LENGTH) return false;
  return filter === '*' || EVENT_TYPE_NAME.test(filter) || PREFIX_WILDCARD.test(filter);
}

/**
 * Whether a subscription with these filters receives an event of this type. Must agree with the
 * SQL function `hookline_type_matches`, which makes the same decision when events are published.
 */
export function matchesEventType(filters: readonly string[], type: string): boolean {
  if (filters.length === 0) return true;
  return filters.some((filter) => {
    if (filter === '*') return true;
    if (filter.endsWith('.*')) return type.startsWith(filter.slice(0, -1));
    return filter === type;
  });
}
