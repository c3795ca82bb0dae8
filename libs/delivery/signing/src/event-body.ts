interface EventBodyFields {
  id: string;
  type: string;
  /** ISO-8601 UTC, e.g. `2026-01-02T03:04:05.678Z`; a Date is converted with toISOString(). */
  timestamp: string | Date;
}

/**
 * `data` as a value, or `dataJson` already serialised (compact JSON, trusted as is) so the hot path
 * does not parse and re-stringify what the database already holds as text.
 */
export type EventBodyInput = EventBodyFields & ({ data: unknown; dataJson?: never } | { dataJson: string; data?: never });

/** The outgoing body of docs/contract.md#the-request-your-endpoint-receives, byte for byte: compact, keys in the order id, type, timestamp, data. */
export function eventBody(input: EventBodyInput): string {
  const timestamp = typeof input.timestamp === 'string' ? input.timestamp : input.timestamp.toISOString();
  const dataJson = input.dataJson ?? JSON.stringify(input.data);
  if (dataJson === undefined) throw new TypeError('event data is not JSON-serialisable');
  return `{"id":${JSON.stringify(input.id)},"type":${JSON.stringify(input.type)},"timestamp":${JSON.stringify(timestamp)},"data":${dataJson}}`;
}
