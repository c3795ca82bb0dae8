import type { Api } from './client';
import type { ApiKey, BulkJob, Delivery, EventType, Page, PortalSession, Replay, SeriesBucket, Stats, Subscription, Tenant } from './models';

export interface OpenBreaker {
  subscriptionId: string;
  tenantId: string;
  url: string;
  openUntil: string;
}

export interface DeadLetterFilter {
  tenantId?: string;
  subscriptionId?: string;
  type?: string;
  since?: string;
  until?: string;
}

/** The admin routes the console uses. */
export function adminApi(api: Api) {
  const { client, unwrap } = api;
  return {
    tenants: (cursor?: string, q?: string) => unwrap<Page<Tenant>>(client.GET('/v1/tenants', { params: { query: { limit: 100, cursor, q } } })),
    tenant: (tenantId: string) => unwrap<Tenant>(client.GET('/v1/tenants/{tenantId}', { params: { path: { tenantId } } })),
    createTenant: (name: string) => unwrap<Tenant>(client.POST('/v1/tenants', { body: { name } })),
    apiKeys: (tenantId: string) => unwrap<Page<ApiKey>>(client.GET('/v1/tenants/{tenantId}/api-keys', { params: { path: { tenantId } } })),
    createApiKey: (tenantId: string, name: string) => unwrap<ApiKey>(client.POST('/v1/tenants/{tenantId}/api-keys', { params: { path: { tenantId } }, body: { name } })),
    revokeApiKey: (tenantId: string, keyId: string) => unwrap<void>(client.DELETE('/v1/tenants/{tenantId}/api-keys/{keyId}', { params: { path: { tenantId, keyId } } })),
    createPortalSession: (tenantId: string, body: { expiresInSeconds: number; readOnly: boolean }) =>
      unwrap<PortalSession>(client.POST('/v1/tenants/{tenantId}/portal-sessions', { params: { path: { tenantId } }, body })),
    deadLetters: (filter: DeadLetterFilter, cursor?: string) =>
      unwrap<Page<Delivery & { tenantId: string }>>(client.GET('/v1/dead-letters', { params: { query: { limit: 50, cursor, ...filter } } })),
    startReplay: (body: { tenantId?: string; subscriptionId?: string; eventType?: string; since?: string; until?: string; status?: string[] }) =>
      unwrap<Replay>(client.POST('/v1/replays', { body })),
    replays: (cursor?: string) => unwrap<Page<Replay>>(client.GET('/v1/replays', { params: { query: { limit: 50, cursor } } })),
    replay: (replayId: string) => unwrap<Replay>(client.GET('/v1/replays/{replayId}', { params: { path: { replayId } } })),
    stats: () => unwrap<Stats>(client.GET('/v1/stats')),
    series: (query: { since: string; until: string; bucket?: '1m' | '5m' | '15m' | '1h' | '1d'; tenantId?: string }) =>
      unwrap<{ buckets: SeriesBucket[] }>(client.GET('/v1/stats/series', { params: { query } })),
    bulkJobs: (tenantId: string) => unwrap<Page<BulkJob>>(client.GET('/v1/tenants/{tenantId}/bulk-jobs', { params: { path: { tenantId }, query: { limit: 50 } } })),
    disabledSubscriptions: () => unwrap<Page<Subscription>>(client.GET('/v1/subscriptions', { params: { query: { status: 'disabled', limit: 50 } } })),
    openBreakers: () => unwrap<{ data: OpenBreaker[]; total: number }>(client.GET('/v1/circuit-breakers')),
    bulkJobErrors: async (tenantId: string, jobId: string): Promise<{ line: number; error: string }[]> => {
      const response = await fetch(`/v1/tenants/${encodeURIComponent(tenantId)}/bulk-jobs/${encodeURIComponent(jobId)}/errors`, {
        headers: { Authorization: `Bearer ${api.token}` },
      });
      if (!response.ok) return [];
      return (await response.text())
        .split('\n')
        .filter(Boolean)
        .slice(0, 200)
        .map((line) => JSON.parse(line));
    },
    eventTypes: () => unwrap<Page<EventType>>(client.GET('/v1/event-types', { params: { query: { limit: 100 } } })),
    createEventType: (body: { name: string; description?: string; schema?: Record<string, unknown> }) => unwrap<EventType>(client.POST('/v1/event-types', { body })),
    updateEventType: (name: string, body: { description?: string; schema?: Record<string, unknown> | null }) =>
      unwrap<EventType>(client.PATCH('/v1/event-types/{name}', { params: { path: { name } }, body: body as never })),
    deleteEventType: (name: string) => unwrap<void>(client.DELETE('/v1/event-types/{name}', { params: { path: { name } } })),
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
