import { matchingDeliveries, missingDeliveries } from './replay-filter';

const at = new Date('2026-01-02T03:04:05Z');

describe('matchingDeliveries', () => {
  it('selects by status and snapshot only when nothing else is given', () => {
    const { sql, params } = matchingDeliveries({ status: ['dead', 'failed'] }, at);
    expect(sql).toBe(
      `FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id WHERE s.status = 'active' AND s.deleted_at IS NULL AND d.status = ANY($1::"DeliveryStatus"[]) AND d.created_at <= $2::timestamptz`,
    );
    expect(params).toEqual([['dead', 'failed'], at]);
  });

  it('numbers parameters from `first` and filters by the delivery’s own event type, without joining events', () => {
    const { sql, params } = matchingDeliveries(
      { tenantId: 'ten_1', subscriptionId: 'sub_1', eventType: 'invoice.*', status: ['dead'], since: '2026-01-01T00:00:00.000Z', until: '2026-01-02T00:00:00.000Z' },
      at,
      3,
    );
    expect(sql).not.toContain('JOIN events');
    expect(sql).toContain('d.tenant_id = $5 AND d.subscription_id = $6 AND d.created_at >= $7::timestamptz AND d.created_at < $8::timestamptz');
    expect(sql).toContain('hookline_type_matches(ARRAY[$9]::text[], d.event_type)');
    expect(params).toEqual([['dead'], at, 'ten_1', 'sub_1', new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T00:00:00Z'), 'invoice.*']);
  });
});

describe('missingDeliveries', () => {
  it('needs a subscription', () => {
    expect(() => missingDeliveries({ status: ['dead'] }, at)).toThrow('a recovery names its subscription');
  });

  it('selects the window’s matching events without a delivery for it, published after it was created', () => {
    const { sql, params } = missingDeliveries({ tenantId: 'ten_1', subscriptionId: 'sub_1', status: ['dead'], since: '2026-01-01T00:00:00.000Z', createMissing: true }, at, 4);
    expect(sql).toMatch(/^FROM events e JOIN subscriptions s ON s\.id = \$4 /);
    expect(sql).toContain('e.tenant_id = $5');
    expect(sql).toContain('e.created_at >= s.created_at');
    expect(sql).toContain('e.created_at <= $6::timestamptz');
    expect(sql).toContain('hookline_type_matches(s.event_types, e.type)');
    expect(sql).toContain(`e.type <> 'webhook.test'`);
    expect(sql).toContain('NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.event_id = e.id AND x.subscription_id = s.id)');
    expect(sql).toContain('e.created_at >= $7::timestamptz');
    expect(params).toEqual(['sub_1', 'ten_1', at, new Date('2026-01-01T00:00:00Z')]);
  });
});
