import { lazy, Suspense, useEffect, useState } from 'react';
import type { SeriesBucket } from '../api/models';
import { DELIVERY_STATUSES } from '../api/models';
import { CHART_REFRESH_MS, useRefreshWhileVisible } from '../lib/use-refresh-while-visible';
import { disabledWhy } from '../portal/endpoints-page';
import { Card, ErrorNotice, PageHeader, Spinner, StatusBadge, Time, useLoad } from '../ui/components';
import { Link } from '../ui/router';
import { CONSOLE, useConsole } from './console-context';

const HealthCharts = lazy(() => import('./health-charts'));

function age(seconds: number | null): string {
  if (seconds === null) return 'Nothing due';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Health at a glance: backlog, lag, queues, breakers, and outcomes over the last hours. */
export function HealthPage() {
  const { admin } = useConsole();
  const stats = useLoad(() => admin.stats(), []);
  const breakers = useLoad(() => admin.openBreakers(), [stats.data?.generatedAt]);
  const disabled = useLoad(() => admin.disabledSubscriptions(), [stats.data?.generatedAt]);
  const [series, setSeries] = useState<SeriesBucket[]>();
  const [seriesError, setSeriesError] = useState<unknown>();
  useEffect(() => {
    const timer = setTimeout(stats.reload, 10_000);
    return () => clearTimeout(timer);
    // `stats.reload` is a new function each render: re-arm on new data only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stats.data]);
  const [seriesTick, setSeriesTick] = useState(0);
  useEffect(() => {
    const until = new Date();
    admin.series({ since: new Date(until.getTime() - 6 * 3600_000).toISOString(), until: until.toISOString(), bucket: '5m' }).then((r) => setSeries(r.buckets), setSeriesError);
  }, [admin, seriesTick]);
  useRefreshWhileVisible(() => setSeriesTick((t) => t + 1), CHART_REFRESH_MS);

  const s = stats.data;
  // The last full 5-minute bucket (the current one is still filling) and the last hour.
  const lastFull = series && series.length > 1 ? series[series.length - 2] : undefined;
  const lastHour = series?.slice(-12) ?? [];
  const hourAttempts = lastHour.reduce((n, b) => n + b.succeeded + b.failed, 0);
  const hourFailed = lastHour.reduce((n, b) => n + b.failed, 0);
  return (
    <>
      <PageHeader title="Health" subtitle="The delivery pipeline right now; refreshes every 10 seconds." />
      {stats.error ? <ErrorNotice error={stats.error} onRetry={stats.reload} /> : null}
      {!s && !stats.error && <Spinner label="Loading health" />}
      {s && (
        <div className="stack">
          <div className="grid-4">
            <Card>
              <div className="metric">
                <span className="metric-label">Oldest due delivery waiting</span>
                <span className="metric-value">{age(s.oldestPendingAgeSeconds)}</span>
              </div>
            </Card>
            <Card>
              <div className="metric">
                <span className="metric-label">Backlog (pending + retrying)</span>
                <span className="metric-value">{(s.deliveries.pending + s.deliveries.failed).toLocaleString()}</span>
              </div>
            </Card>
            <Card>
              <div className="metric">
                <span className="metric-label">Dead letters</span>
                <span className="metric-value">
                  <Link to={`${CONSOLE}/dead-letters`}>{s.deliveries.dead.toLocaleString()}</Link>
                </span>
              </div>
            </Card>
            <Card>
              <div className="metric">
                <span className="metric-label">Open circuit breakers</span>
                <span className="metric-value">{s.circuitBreakersOpen}</span>
              </div>
            </Card>
          </div>
          <div className="grid-2">
            <Card>
              <div className="metric">
                <span className="metric-label">Attempts per second (last full 5 minutes)</span>
                <span className="metric-value">{lastFull ? ((lastFull.succeeded + lastFull.failed) / 300).toFixed(2) : '—'}</span>
              </div>
            </Card>
            <Card>
              <div className="metric">
                <span className="metric-label">Failed attempts (last hour)</span>
                <span className="metric-value">{hourAttempts ? `${((hourFailed / hourAttempts) * 100).toFixed(1)} %` : '—'}</span>
              </div>
            </Card>
          </div>
          <Card title="Last 6 hours">
            {seriesError ? (
              <ErrorNotice error={seriesError} />
            ) : !series ? (
              <Spinner />
            ) : (
              <Suspense fallback={<Spinner />}>
                <HealthCharts buckets={series} />
              </Suspense>
            )}
          </Card>
          <div className="grid-2">
            <Card title="Deliveries by status">
              <table aria-label="Deliveries by status">
                <tbody>
                  {DELIVERY_STATUSES.map((status) => (
                    <tr key={status}>
                      <td>
                        <StatusBadge status={status} />
                      </td>
                      <td className="mono">{s.deliveries[status].toLocaleString()}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Card>
            <Card title="Queues">
              <div className="table-wrap">
                <table aria-label="Queue depths">
                  <thead>
                    <tr>
                      <th>Queue</th>
                      {['waiting', 'delayed', 'active', 'failed'].map((k) => (
                        <th key={k}>{k}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(s.queues).map(([name, depths]) => (
                      <tr key={name}>
                        <td className="mono">{name}</td>
                        {['waiting', 'delayed', 'active', 'failed'].map((k) => (
                          <td key={k} className="mono">
                            {(depths[k] ?? 0).toLocaleString()}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Card>
          </div>
          <div className="grid-2">
            <Card title="Open circuit breakers" className="card-flush">
              {breakers.error ? (
                <ErrorNotice error={breakers.error} />
              ) : breakers.data?.data.length === 0 ? (
                <p className="muted" style={{ padding: '0 18px' }}>
                  Every endpoint is being sent to normally.
                </p>
              ) : (
                <div className="table-wrap">
                  <table aria-label="Open circuit breakers">
                    <thead>
                      <tr>
                        <th>Endpoint</th>
                        <th>Probe after</th>
                      </tr>
                    </thead>
                    <tbody>
                      {breakers.data?.data.map((b) => (
                        <tr key={b.subscriptionId}>
                          <td className="url mono">
                            <Link to={`${CONSOLE}/tenants/${b.tenantId}/endpoints/${b.subscriptionId}`}>{b.url}</Link>
                          </td>
                          <td>
                            <Time iso={b.openUntil} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Card>
            <Card title="Disabled endpoints" className="card-flush">
              {disabled.error ? (
                <ErrorNotice error={disabled.error} />
              ) : disabled.data?.data.length === 0 ? (
                <p className="muted" style={{ padding: '0 18px' }}>
                  No endpoint is disabled.
                </p>
              ) : (
                <div className="table-wrap">
                  <table aria-label="Disabled endpoints">
                    <thead>
                      <tr>
                        <th>Endpoint</th>
                        <th>Why</th>
                      </tr>
                    </thead>
                    <tbody>
                      {disabled.data?.data.map((sub) => (
                        <tr key={sub.id}>
                          <td className="url mono">
                            <Link to={`${CONSOLE}/tenants/${sub.tenantId}/endpoints/${sub.id}`}>{sub.url}</Link>
                          </td>
                          <td>{disabledWhy(sub)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Card>
          </div>
          <Card title="Backlog by tenant" className="card-flush">
            {s.backlog.length === 0 ? (
              <p className="muted" style={{ padding: '0 18px' }}>
                No tenant has deliveries waiting.
              </p>
            ) : (
              <div className="table-wrap">
                <table aria-label="Backlog by tenant">
                  <thead>
                    <tr>
                      <th>Tenant</th>
                      <th>Pending</th>
                      <th>Retrying</th>
                      <th>Oldest due</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.backlog.map((b) => (
                      <tr key={b.tenantId}>
                        <td className="mono">
                          <Link to={`${CONSOLE}/tenants/${b.tenantId}`}>{b.tenantId}</Link>
                        </td>
                        <td>{b.pending}</td>
                        <td>{b.failed}</td>
                        <td>{age(b.oldestPendingAgeSeconds)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
