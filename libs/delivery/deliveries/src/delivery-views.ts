import type { DeliveryStatus } from '@hookline/database';

export interface AttemptView {
  id: string;
  number: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  responseHeaders: Record<string, string> | null;
  /** As sent, signatures included; null for attempts recorded before they were kept. */
  requestHeaders: Record<string, string> | null;
}

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  subscriptionId: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DeliveryListFilter {
  status?: DeliveryStatus;
  subscriptionId?: string;
  eventId?: string;
  eventType?: string;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

export function deliveryView(row: DeliveryView & Record<string, unknown>): DeliveryView {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    subscriptionId: row.subscriptionId,
    status: row.status,
    attemptCount: row.attemptCount,
    nextAttemptAt: row.status === 'pending' || row.status === 'failed' ? row.nextAttemptAt : null,
    lastAttemptAt: row.lastAttemptAt,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
