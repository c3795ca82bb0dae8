/** Response shapes of the Hookline API as the pages use them (openapi.json types the requests). */

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

export interface Whoami {
  kind: 'admin' | 'tenant' | 'portal';
  tenantId: string | null;
  readOnly: boolean;
  expiresAt: string | null;
}

export type SubscriptionStatus = 'active' | 'disabled';

export interface Subscription {
  id: string;
  tenantId: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  headers: Record<string, string>;
  rateLimitPerSecond: number | null;
  metadata: Record<string, unknown> | null;
  signatureScheme: 'v1' | 'v1a';
  status: SubscriptionStatus;
  disabledReason: 'manual' | 'failing' | 'gone' | null;
  createdAt: string;
  updatedAt: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'dead' | 'cancelled';
export const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'succeeded', 'failed', 'dead', 'cancelled'];

export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  subscriptionId: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  tenantId?: string;
}

export interface Attempt {
  id: string;
  number: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  responseHeaders: Record<string, string> | null;
  requestHeaders?: Record<string, string> | null;
}

export interface DeliveryDetail extends Delivery {
  attempts: Attempt[];
}

export interface EventView {
  id: string;
  type: string;
  data: unknown;
  createdAt: string;
  deliveryCount: number;
}

export interface EventType {
  name: string;
  description: string | null;
  schema: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
}

export interface Tenant {
  id: string;
  name: string;
  metadata: Record<string, unknown> | null;
  createdAt: string;
}

export interface ApiKey {
  id: string;
  name: string | null;
  prefix: string;
  createdAt: string;
  key?: string;
}

export interface Replay {
  id: string;
  tenantId: string | null;
  status: string;
  matched: number;
  queued: number;
  completed: number;
  createdAt: string;
  completedAt: string | null;
  filter?: Record<string, unknown>;
}

export interface PortalSession {
  id: string;
  token: string;
  url: string;
  expiresAt: string;
  readOnly: boolean;
}

export interface BulkJob {
  id: string;
  status: string;
  totalRows: number;
  acceptedRows: number;
  failedRows: number;
  createdAt: string;
  completedAt: string | null;
}

export interface SeriesBucket {
  start: string;
  succeeded: number;
  failed: number;
  dead: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface Stats {
  generatedAt: string;
  deliveries: Record<DeliveryStatus, number>;
  oldestPendingAgeSeconds: number | null;
  backlog: { tenantId: string; pending: number; failed: number; backlog: number; oldestPendingAgeSeconds: number | null }[];
  queues: Record<string, Record<string, number>>;
  circuitBreakersOpen: number;
}

export interface Branding {
  title: string;
  logoUrl: string | null;
  accentColor: string;
  refreshUrl: string | null;
}
