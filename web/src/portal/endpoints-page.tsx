import { useState } from 'react';
import type { Subscription } from '../api/models';
import { Button, Card, Dialog, EmptyState, ErrorNotice, PageHeader, Spinner, StatusBadge, useLoad } from '../ui/components';
import { navigate } from '../ui/router';
import { Sparkline } from '../ui/sparkline';
import { EndpointForm } from './endpoint-form';
import { usePortal } from './portal-context';

export function EventFilter({ types }: { types: string[] }) {
  if (types.length === 0) return <span className="muted">All events</span>;
  return (
    <span>
      {types.slice(0, 3).map((t) => (
        <span className="chip" key={t}>
          {t}
        </span>
      ))}
      {types.length > 3 && <span className="muted">+{types.length - 3} more</span>}
    </span>
  );
}

export function disabledWhy(subscription: Subscription): string | undefined {
  switch (subscription.disabledReason) {
    case 'manual':
      return 'Disabled by hand';
    case 'failing':
      return 'Disabled automatically: every delivery failed for days';
    case 'gone':
      return 'Disabled automatically: the endpoint answered 410 Gone';
    default:
      return undefined;
  }
}

function SuccessRate({ subscriptionId }: { subscriptionId: string }) {
  const { tenant } = usePortal();
  const series = useLoad(() => {
    const until = new Date();
    const since = new Date(until.getTime() - 24 * 3600_000);
    return tenant.series({ since: since.toISOString(), until: until.toISOString(), bucket: '1h', subscriptionId });
  }, [subscriptionId]);
  if (series.error)
    return (
      <span className="muted" title="Statistics are unavailable">
        —
      </span>
    );
  if (!series.data) return <span className="muted">…</span>;
  return <Sparkline buckets={series.data.buckets} label="Success rate" />;
}

export function EndpointsPage() {
  const { tenant, readOnly, base } = usePortal();
  const list = useLoad(() => tenant.subscriptions(), [tenant]);
  const catalogue = useLoad(() => tenant.eventTypes(), [tenant]);
  const [creating, setCreating] = useState(false);

  const add = !readOnly && (
    <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
      Add endpoint
    </Button>
  );
  return (
    <>
      <PageHeader title="Endpoints" subtitle="The URLs we send your webhooks to." actions={add} />
      {list.error ? <ErrorNotice error={list.error} onRetry={list.reload} /> : null}
      <Card className="card-flush">
        {!list.data && !list.error && <Spinner label="Loading endpoints" />}
        {list.data && list.data.data.length === 0 && (
          <EmptyState title="No endpoints yet" icon="endpoint">
            {readOnly ? 'No endpoint has been added.' : 'Add the URL of your server and we start sending it events.'}
            {add && <div>{add}</div>}
          </EmptyState>
        )}
        {list.data && list.data.data.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>URL</th>
                  <th>Status</th>
                  <th className="hide-narrow">Events</th>
                  <th className="hide-narrow">Last 24 hours</th>
                </tr>
              </thead>
              <tbody>
                {list.data.data.map((s) => (
                  <tr key={s.id} className="clickable" onClick={() => navigate(`${base}/endpoints/${s.id}`)}>
                    <td className="url">
                      <a
                        href={`${base}/endpoints/${s.id}`}
                        onClick={(e) => {
                          e.preventDefault();
                          navigate(`${base}/endpoints/${s.id}`);
                        }}
                        className="mono"
                      >
                        {s.url}
                      </a>
                      {s.description && <div className="muted">{s.description}</div>}
                    </td>
                    <td>
                      <StatusBadge status={s.status} title={disabledWhy(s)} />
                    </td>
                    <td className="hide-narrow">
                      <EventFilter types={s.eventTypes} />
                    </td>
                    <td className="hide-narrow">
                      <SuccessRate subscriptionId={s.id} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Dialog title="Add an endpoint" open={creating} onClose={() => setCreating(false)} wide>
        <EndpointForm
          catalogue={catalogue.data ?? []}
          submitLabel="Add endpoint"
          onCancel={() => setCreating(false)}
          onSubmit={async (input) => {
            const created = await tenant.createSubscription(input);
            setCreating(false);
            navigate(`${base}/endpoints/${created.id}`);
          }}
        />
      </Dialog>
    </>
  );
}
