import type { TraceCarrier } from '@hookline/tracing';

export interface EventView {
  id: string;
  type: string;
  data: unknown;
  idempotencyKey: string | null;
  createdAt: Date;
  deliveryCount: number;
}

export interface PublishInput {
  type: string;
  data: unknown;
  idempotencyKey?: string;
  /** The publish's trace (see publishTraceCarrier): stored with the event and carried by its delivery jobs. */
  trace?: TraceCarrier | null;
}

export interface PublishResult {
  event: EventView;
  /** True when an earlier publish with the same idempotency key is returned instead. */
  replayed: boolean;
}

/** Dot-separated segments of letters, digits, `_` and `-`, e.g. `invoice.paid`. */
export const EVENT_TYPE_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
