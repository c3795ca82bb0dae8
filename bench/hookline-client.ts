import { Pool } from 'undici';

export interface PublishedEvent {
  id: string;
  createdAt: string;
  deliveryCount: number;
}

export interface DeliveryView {
  id: string;
  status: string;
}

/** The few REST calls of docs/contract.md#the-rest-api the bench needs, with the admin key, over one keep-alive pool. */
export class HooklineClient {
  private readonly pool: Pool;
  private readonly auth: string;

  constructor(
    readonly baseUrl: string,
    adminKey: string,
    connections: number,
  ) {
    this.pool = new Pool(baseUrl, { connections, pipelining: 1 });
    this.auth = `Bearer ${adminKey}`;
  }

  async createTenant(name: string): Promise<string> {
    return (await this.call<{ id: string }>('POST', '/v1/tenants', { name }, 201)).id;
  }

  async createSubscription(tenantId: string, url: string, eventTypes?: string[]): Promise<string> {
    const body = { url, ...(eventTypes ? { eventTypes } : {}) };
    return (await this.call<{ id: string }>('POST', `/v1/tenants/${tenantId}/subscriptions`, body, 201)).id;
  }

  async disableSubscription(tenantId: string, subscriptionId: string): Promise<void> {
    await this.call('POST', `/v1/tenants/${tenantId}/subscriptions/${subscriptionId}/disable`, undefined, 200);
  }

  /** `body` is the request JSON already serialised (`{"type":…,"data":…}`), so the load loop does not stringify. */
  publish(tenantId: string, body: string): Promise<PublishedEvent> {
    return this.call<PublishedEvent>('POST', `/v1/tenants/${tenantId}/events`, body, 202);
  }

  async deliveriesOfEvent(tenantId: string, eventId: string): Promise<DeliveryView[]> {
    return (await this.call<{ data: DeliveryView[] }>('GET', `/v1/tenants/${tenantId}/deliveries?eventId=${eventId}&limit=100`, undefined, 200)).data;
  }

  /** The tenant's deliveries by status, from the counters behind `GET /v1/stats` (not a count of rows). */
  async deliveryCounters(tenantId: string): Promise<Record<string, number>> {
    return (await this.call<{ deliveries: Record<string, number> }>('GET', `/v1/stats?tenantId=${tenantId}`, undefined, 200)).deliveries;
  }

  /**
   * `hookline_delivery_deferrals_total` by reason from `GET /metrics` (attempts the worker held
   * back without using an attempt: endpoint_busy, rate_limited, circuit_open); null when the build
   * exposes no such metric.
   */
  async deferrals(): Promise<Record<string, number> | null> {
    const response = await this.pool.request({ method: 'GET', path: '/metrics' });
    const text = await response.body.text();
    if (response.statusCode !== 200) return null;
    const counts: Record<string, number> = {};
    for (const match of text.matchAll(/^hookline_delivery_deferrals_total\{reason="([^"]+)"\} (\S+)$/gm)) counts[match[1]] = Number(match[2]);
    return Object.keys(counts).length ? counts : null;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body: unknown, expected: number): Promise<T> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const response = await this.pool.request({
      method,
      path,
      headers: payload === undefined ? { authorization: this.auth } : { authorization: this.auth, 'content-type': 'application/json' },
      body: payload,
    });
    const text = await response.body.text();
    if (response.statusCode !== expected) throw new Error(`${method} ${path}: ${response.statusCode} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
