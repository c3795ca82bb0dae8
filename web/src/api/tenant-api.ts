import type { Api } from './client';
import type { Delivery, DeliveryDetail, DeliveryStatus, EventType, EventView, Page, Replay, SeriesBucket, Subscription, Whoami } from './models';

export interface SubscriptionInput {
  url: string;
  eventTypes: string[];
  description: string | null;
  headers: Record<string, string>;
  rateLimitPerSecond: number | null;
}

export interface SeriesQuery {
  since: string;
  until: string;
  bucket?: '1m' | '5m' | '15m' | '1h' | '1d';
  subscriptionId?: string;
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  eventType?: string;
  subscriptionId?: string;
  eventId?: string;
  since?: string;
  until?: string;
  cursor?: string;
  limit?: number;
}

/** The customer routes of one tenant, as the portal uses them. */
export function tenantApi(api: Api, tenantId: string) {
  const { client, unwrap } = api;
  const tenant = { tenantId };
  const sub = (subscriptionId: string) => ({ path: { tenantId, subscriptionId } });
  return {
    api,
    tenantId,
    subscriptions: (cursor?: string) => unwrap<Page<Subscription>>(client.GET('/v1/tenants/{tenantId}/subscriptions', { params: { path: tenant, query: { limit: 100, cursor } } })),
    subscription: (id: string) => unwrap<Subscription>(client.GET('/v1/tenants/{tenantId}/subscriptions/{subscriptionId}', { params: sub(id) })),
    createSubscription: (body: SubscriptionInput) =>
      unwrap<Subscription & { secret?: string }>(client.POST('/v1/tenants/{tenantId}/subscriptions', { params: { path: tenant }, body })),
    updateSubscription: (id: string, body: SubscriptionInput) =>
      unwrap<Subscription>(client.PATCH('/v1/tenants/{tenantId}/subscriptions/{subscriptionId}', { params: sub(id), body })),
    deleteSubscription: (id: string) => unwrap<void>(client.DELETE('/v1/tenants/{tenantId}/subscriptions/{subscriptionId}', { params: sub(id) })),
    enable: (id: string) => unwrap<Subscription>(client.POST('/v1/tenants/{tenantId}/subscriptions/{subscriptionId}/enable', { params: sub(id) })),
    disable: (id: string) => unwrap<Subscription>(client.POST('/v1/tenants/{tenantId}/subscriptions/{subscriptionId}/disable', { params: sub(id) })),
    secret: (id: string) => unwrap<{ secret?: string; publicKey?: string }>(client.GET('/v1/tenants/{tenantId}/subscriptions/{subscriptionId}/secret', { params: sub(id) })),
    rotateSecret: (id: string, graceSeconds: number) =>
      unwrap<{ secret?: string }>(client.POST('/v1/tenants/{tenantId}/subscriptions/{subscriptionId}/rotate-secret', { params: sub(id), body: { graceSeconds } })),
    sendTest: (id: string, type: string, data?: unknown) =>
      unwrap<EventView>(client.POST('/v1/tenants/{tenantId}/subscriptions/{subscriptionId}/test', { params: sub(id), body: { type, data: data as Record<string, unknown> } })),
    recover: (id: string, since: string, until?: string) =>
      unwrap<Replay>(client.POST('/v1/tenants/{tenantId}/subscriptions/{subscriptionId}/recover', { params: sub(id), body: { since, until } })),
    replay: (replayId: string) => unwrap<Replay>(client.GET('/v1/tenants/{tenantId}/replays/{replayId}', { params: { path: { tenantId, replayId } } })),
    deliveries: (filter: DeliveryFilter) => unwrap<Page<Delivery>>(client.GET('/v1/tenants/{tenantId}/deliveries', { params: { path: tenant, query: { limit: 25, ...filter } } })),
    delivery: (id: string) => unwrap<DeliveryDetail>(client.GET('/v1/tenants/{tenantId}/deliveries/{deliveryId}', { params: { path: { tenantId, deliveryId: id } } })),
    retryDelivery: (id: string) => unwrap<DeliveryDetail>(client.POST('/v1/tenants/{tenantId}/deliveries/{deliveryId}/replay', { params: { path: { tenantId, deliveryId: id } } })),
    event: (id: string) => unwrap<EventView>(client.GET('/v1/tenants/{tenantId}/events/{eventId}', { params: { path: { tenantId, eventId: id } } })),
    eventTypes: async () => {
      const all: EventType[] = [];
      let cursor: string | undefined;
      do {
        const page: Page<EventType> = await unwrap(client.GET('/v1/event-types', { params: { query: { limit: 100, cursor } } }));
        all.push(...page.data);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return all;
    },
    series: (query: SeriesQuery) => unwrap<{ buckets: SeriesBucket[] }>(client.GET('/v1/tenants/{tenantId}/stats/series', { params: { path: tenant, query } })),
    streamUrl: `/v1/tenants/${tenantId}/deliveries/stream`,
  };
}

export type TenantApi = ReturnType<typeof tenantApi>;

export const whoami = (api: Api) => api.unwrap<Whoami>(api.client.GET('/v1/auth/whoami'));
