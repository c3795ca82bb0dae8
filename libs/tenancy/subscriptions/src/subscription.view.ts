import type { DisabledReason, SignatureScheme, Subscription, SubscriptionStatus } from '@hookline/database';

/** A subscription as the API shows it: never its secrets. */
export interface SubscriptionView {
  id: string;
  tenantId: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  headers: Record<string, string>;
  rateLimitPerSecond: number | null;
  metadata: Record<string, unknown> | null;
  signatureScheme: SignatureScheme;
  status: SubscriptionStatus;
  disabledReason: DisabledReason | null;
  createdAt: Date;
  updatedAt: Date;
}

export function subscriptionView(row: Subscription): SubscriptionView {
  return {
    id: row.id,
    tenantId: row.tenantId,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    headers: (row.headers as Record<string, string> | null) ?? {},
    rateLimitPerSecond: row.rateLimitPerSecond,
    metadata: (row.metadata as Record<string, unknown> | null) ?? null,
    signatureScheme: row.signatureScheme,
    status: row.status,
    disabledReason: row.disabledReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
