import { type FormEvent, useCallback, useEffect, useId, useMemo, useState } from 'react';
import type { Delivery, DeliveryStatus, Subscription } from '../api/models';
import { DELIVERY_STATUSES } from '../api/models';
import type { DeliveryFilter } from '../api/tenant-api';
import { fromLocalInput } from '../lib/format';
import { Button, Card, EmptyState, ErrorNotice, PageHeader, Spinner, StatusBadge, Time, useLoad } from '../ui/components';
import { navigate, useLocation } from '../ui/router';
import { type LiveState, useDeliveryStream } from './delivery-stream';
import { usePortal } from './portal-context';

const RANGES: Record<string, number> = { '1h': 3600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

export interface LogFilters {
  status?: DeliveryStatus;
  subscriptionId?: string;
  eventType?: string;
  eventId?: string;
  range?: string;
  since?: string;
  until?: string;
}

export function LiveIndicator({ state }: { state: LiveState }) {
  const text = { live: 'Live', polling: 'Auto-refreshing', connecting: 'Connecting…', offline: 'Not updating' }[state];
  return (
    <span className={`live${state === 'live' || state === 'polling' ? '' : ' live-off'}`} role="status" aria-label={`Live updates: ${text}`}>
      <span className="live-dot" aria-hidden="true" /> {text}
    </span>
  );
}

function apiFilter(filters: LogFilters): DeliveryFilter {
  const since = filters.range && filters.range !== 'custom' ? new Date(Date.now() - RANGES[filters.range]).toISOString() : filters.since;
  return {
    status: filters.status,
    subscriptionId: filters.subscriptionId,
    eventType: filters.eventType,
    eventId: filters.eventId,
    since,
    until: filters.range === 'custom' ? filters.until : undefined,
  };
}

function matches(delivery: Delivery, filters: LogFilters): boolean {
  if (filters.status && delivery.status !== filters.status) return false;
  if (filters.subscriptionId && delivery.subscriptionId !== filters.subscriptionId) return false;
  if (filters.eventType && delivery.eventType !== filters.eventType) return false;
  if (filters.eventId && delivery.eventId !== filters.eventId) return false;
  if (filters.range === 'custom' && filters.until && delivery.createdAt >= filters.until) return false;
  return true;
}

/** The delivery log: newest first, filtered, paged with "Load more", new deliveries arriving live. */
export function DeliveryLog({ filters, subscriptions, compact }: { filters: LogFilters; subscriptions: Subscription[]; compact?: boolean }) {
  const { tenant, base } = usePortal();
  const [rows, setRows] = useState<Delivery[]>([]);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const key = JSON.stringify(filters);

  const load = useCallback(
    async (after?: string) => {
      setLoading(true);
      setError(undefined);
      try {
        const page = await tenant.deliveries({ ...apiFilter(filters), cursor: after });
        setRows((current) => (after ? [...current, ...page.data] : page.data));
        setCursor(page.nextCursor);
      } catch (caught) {
        setError(caught);
      } finally {
        setLoading(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [tenant, key],
  );
  useEffect(() => {
    // A new filter starts from an empty list, not the previous filter's rows.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setRows([]);
    void load();
  }, [load]);

  // A known delivery is patched in place; an unknown one brings the newest page (the server applies
  // the filters and has fields the stream does not carry), at most once a second.
  const [refreshing, setRefreshing] = useState(false);
  useEffect(() => {
    if (!refreshing) return;
    const refresh = async () => {
      try {
        const page = await tenant.deliveries(apiFilter(filters));
        setRows((current) => {
          const known = new Set(current.map((d) => d.id));
          const added = page.data.filter((d) => !known.has(d.id));
          if (added.length) setFresh((f) => new Set([...f, ...added.map((d) => d.id)]));
          const latest = new Map(page.data.map((d) => [d.id, d]));
          return [...added, ...current.map((d) => latest.get(d.id) ?? d)].sort((a, b) => (a.id < b.id ? 1 : -1));
        });
      } finally {
        setRefreshing(false);
      }
    };
    const timer = setTimeout(() => void refresh(), 1000);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [refreshing, tenant, key]);
  const live = useDeliveryStream(tenant, (delivery) => {
    setRows((current) => {
      const index = current.findIndex((d) => d.id === delivery.id);
      if (index < 0) {
        if (matches(delivery, filters)) setRefreshing(true);
        return current;
      }
      return current.map((d, i) => (i === index ? { ...d, ...delivery } : d));
    });
  });

  const urlOf = useMemo(() => new Map(subscriptions.map((s) => [s.id, s.url])), [subscriptions]);
  const shown = rows;
  const open = (d: Delivery) => navigate(`${base}/deliveries/${d.id}`);

  return (
    <>
      <div className="live-row">
        <LiveIndicator state={live} />
      </div>
      {error ? <ErrorNotice error={error} onRetry={() => void load()} /> : null}
      {!loading && shown.length === 0 && !error && (
        <EmptyState title="No deliveries" icon="list">
          {Object.values(filters).some(Boolean)
            ? 'Nothing matches these filters. New deliveries appear here as they happen.'
            : 'When events are sent to your endpoints, every delivery shows up here, live.'}
        </EmptyState>
      )}
      {shown.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Deliveries">
            <thead>
              <tr>
                <th>Status</th>
                <th>Event type</th>
                {!compact && <th className="hide-narrow">Endpoint</th>}
                <th className="hide-narrow">Attempts</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => (
                <tr key={d.id} className={`clickable${fresh.has(d.id) ? ' flash' : ''}`} onClick={() => open(d)}>
                  <td>
                    <StatusBadge status={d.status} />
                  </td>
                  <td>
                    <a
                      href={`${base}/deliveries/${d.id}`}
                      onClick={(e) => {
                        e.preventDefault();
                        open(d);
                      }}
                      className="mono"
                      aria-label={`Delivery ${d.id}: ${d.eventType}, ${d.status}`}
                    >
                      {d.eventType}
                    </a>
                  </td>
                  {!compact && <td className="url mono hide-narrow">{urlOf.get(d.subscriptionId) ?? d.subscriptionId}</td>}
                  <td className="hide-narrow">
                    {d.attemptCount}
                    {d.lastStatusCode !== null ? (
                      <span className="muted"> · HTTP {d.lastStatusCode}</span>
                    ) : d.lastError ? (
                      <span className="muted"> · {d.lastError.slice(0, 40)}</span>
                    ) : null}
                  </td>
                  <td className="nowrap">
                    <Time iso={d.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {loading && <Spinner label="Loading deliveries" />}
      {cursor && !loading && (
        <div className="table-footer">
          <Button onClick={() => void load(cursor)}>Load more</Button>
        </div>
      )}
    </>
  );
}

function readFilters(search: string): LogFilters {
  const params = new URLSearchParams(search);
  const get = (name: string) => params.get(name) || undefined;
  return {
    status: get('status') as DeliveryStatus | undefined,
    subscriptionId: get('endpoint'),
    eventType: get('type'),
    eventId: get('eventId'),
    range: get('range'),
    since: get('since'),
    until: get('until'),
  };
}

function writeFilters(path: string, filters: LogFilters) {
  const params = new URLSearchParams();
  const set = (name: string, value?: string) => value && params.set(name, value);
  set('status', filters.status);
  set('endpoint', filters.subscriptionId);
  set('type', filters.eventType);
  set('eventId', filters.eventId);
  set('range', filters.range);
  if (filters.range === 'custom') {
    set('since', filters.since);
    set('until', filters.until);
  }
  const query = params.toString();
  navigate(`${path}${query ? `?${query}` : ''}`, { replace: true });
}

export function DeliveriesPage() {
  const { tenant, base } = usePortal();
  const id = useId();
  const { path, search } = useLocation();
  const filters = readFilters(search);
  const subscriptions = useLoad(() => tenant.subscriptions(), [tenant]);
  const catalogue = useLoad(() => tenant.eventTypes(), [tenant]);
  const [query, setQuery] = useState(filters.eventId ?? '');
  const [custom, setCustom] = useState({ since: '', until: '' });
  const update = (change: Partial<LogFilters>) => writeFilters(path, { ...filters, ...change });

  const searchSubmit = (event: FormEvent) => {
    event.preventDefault();
    const value = query.trim();
    if (value.startsWith('dlv_')) return navigate(`${base}/deliveries/${encodeURIComponent(value)}`);
    update({ eventId: value || undefined });
  };

  return (
    <>
      <PageHeader title="Deliveries" subtitle="Every webhook we sent, newest first. Select one to see each attempt." />
      <Card className="card-flush">
        <div className="filters">
          <div className="field">
            <label htmlFor={`${id}-status`}>Status</label>
            <select id={`${id}-status`} value={filters.status ?? ''} onChange={(e) => update({ status: (e.target.value || undefined) as DeliveryStatus | undefined })}>
              <option value="">Any status</option>
              {DELIVERY_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-type`}>Event type</label>
            <select id={`${id}-type`} value={filters.eventType ?? ''} onChange={(e) => update({ eventType: e.target.value || undefined })}>
              <option value="">Any type</option>
              {['webhook.test', ...(catalogue.data ?? []).map((t) => t.name).filter((n) => n !== 'webhook.test')].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-endpoint`}>Endpoint</label>
            <select id={`${id}-endpoint`} value={filters.subscriptionId ?? ''} onChange={(e) => update({ subscriptionId: e.target.value || undefined })}>
              <option value="">Any endpoint</option>
              {(subscriptions.data?.data ?? []).map((s) => (
                <option key={s.id} value={s.id}>
                  {s.url}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-range`}>Time range</label>
            <select id={`${id}-range`} value={filters.range ?? ''} onChange={(e) => update({ range: e.target.value || undefined })}>
              <option value="">Any time</option>
              <option value="1h">Last hour</option>
              <option value="24h">Last 24 hours</option>
              <option value="7d">Last 7 days</option>
              <option value="30d">Last 30 days</option>
              <option value="custom">Custom…</option>
            </select>
          </div>
          {filters.range === 'custom' && (
            <>
              <div className="field">
                <label htmlFor={`${id}-since`}>From</label>
                <input
                  id={`${id}-since`}
                  type="datetime-local"
                  value={custom.since}
                  onChange={(e) => {
                    setCustom({ ...custom, since: e.target.value });
                    update({ since: fromLocalInput(e.target.value) });
                  }}
                />
              </div>
              <div className="field">
                <label htmlFor={`${id}-until`}>To</label>
                <input
                  id={`${id}-until`}
                  type="datetime-local"
                  value={custom.until}
                  onChange={(e) => {
                    setCustom({ ...custom, until: e.target.value });
                    update({ until: fromLocalInput(e.target.value) });
                  }}
                />
              </div>
            </>
          )}
          <form className="field" role="search" onSubmit={searchSubmit}>
            <label htmlFor={`${id}-search`}>Event or delivery id</label>
            <input id={`${id}-search`} type="search" placeholder="evt_… or dlv_…" value={query} onChange={(e) => setQuery(e.target.value)} />
          </form>
        </div>
        <DeliveryLog filters={filters} subscriptions={subscriptions.data?.data ?? []} />
      </Card>
    </>
  );
}
