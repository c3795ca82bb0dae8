import { useEffect } from 'react';
import { Card, EmptyState, ErrorNotice, PageHeader, ProgressBar, Spinner, StatusBadge, Time, useLoad } from '../ui/components';
import { useConsole } from './console-context';

function describe(filter: Record<string, unknown> | undefined): string {
  if (!filter) return '—';
  const parts = Object.entries(filter).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0));
  return parts.length ? parts.map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`).join(', ') : 'everything';
}

export function ReplaysPage() {
  const { admin } = useConsole();
  const list = useLoad(() => admin.replays(), []);
  const running = list.data?.data.some((r) => r.status !== 'completed');
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(list.reload, 2000);
    return () => clearTimeout(timer);
    // `list.reload` is a new function each render: re-arm on new data only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list.data, running]);
  return (
    <>
      <PageHeader title="Replays" subtitle="Bulk replays and endpoint recoveries, newest first. Running ones update by themselves." />
      <Card className="card-flush">
        {list.error ? <ErrorNotice error={list.error} onRetry={list.reload} /> : null}
        {!list.data && !list.error && <Spinner label="Loading replays" />}
        {list.data?.data.length === 0 && (
          <EmptyState title="No replays yet" icon="retry">
            Start one from Dead letters.
          </EmptyState>
        )}
        {list.data && list.data.data.length > 0 && (
          <div className="table-wrap">
            <table aria-label="Replays">
              <thead>
                <tr>
                  <th>Status</th>
                  <th>Progress</th>
                  <th className="hide-narrow">Filter</th>
                  <th>Started</th>
                </tr>
              </thead>
              <tbody>
                {list.data.data.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <StatusBadge status={r.status} />
                    </td>
                    <td style={{ minWidth: 180 }}>
                      <ProgressBar value={r.status === 'completed' ? r.matched : r.completed} max={Math.max(1, r.matched)} label={`Progress of ${r.id}`} />
                      <span className="hint">
                        {r.completed} of {r.queued} finished · {r.matched} matched
                      </span>
                    </td>
                    <td className="mono hide-narrow">{describe(r.filter)}</td>
                    <td>
                      <Time iso={r.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
