export const EVENT_TYPE_NAME_MAX_LENGTH = 128;

/** Dot-separated segments (`invoice.paid`); no `*`, so a name never collides with a subscription's `invoice.*` wildcard. */
export const EVENT_TYPE_NAME_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export function isEventTypeName(value: string): boolean {
  return value.length <= EVENT_TYPE_NAME_MAX_LENGTH && EVENT_TYPE_NAME_PATTERN.test(value);
}
