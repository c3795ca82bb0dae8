import { useState } from 'react';
import { ApiError } from '../api/client';
import type { Attempt, DeliveryDetail, EventView, Subscription } from '../api/models';
import { duration, prettyJson, relativeTime } from '../lib/format';
import { Button, Card, Code, CopyButton, EmptyState, ErrorNotice, Notice, PageHeader, Spinner, StatusBadge, Time, useLoad } from '../ui/components';
import { Icon } from '../ui/icons';
import { Link } from '../ui/router';
import { curlCommand, eventBody } from './curl';
import { useDeliveryStream } from './delivery-stream';
import { usePortal } from './portal-context';

function HeadersTable({ headers, label }: { headers: Record<string, string>; label: string }) {
  const entries = Object.entries(headers);
  if (entries.length === 0) return <span className="muted">None recorded</span>;
  return (
    <table className="headers-table" aria-label={label}>
      <tbody>
        {entries.map(([name, value]) => (
          <tr key={name}>
            <td>{name}</td>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AttemptCard({ attempt, url, body }: { attempt: Attempt; url?: string; body?: string }) {
  const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
  const outcome = attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : (attempt.error ?? 'No response');
  return (
    <article className="attempt" aria-label={`Attempt ${attempt.number}`}>
      <div className="attempt-head">
        <strong>Attempt {attempt.number}</strong>
        <span className={`badge badge-${ok ? 'good' : 'bad'}`}>{outcome}</span>
        <Time iso={attempt.startedAt} />
        <span className="muted">{duration(attempt.durationMs)}</span>
        {url && body && (
          <span style={{ marginLeft: 'auto' }}>
            <CopyButton label="Copy as curl" text={curlCommand(url, attempt.requestHeaders ?? { 'content-type': 'application/json' }, body)} />
          </span>
        )}
      </div>
      <div className="attempt-body">
        {attempt.error && attempt.statusCode !== null && <div className="error-text">{attempt.error}</div>}
        <details open={!ok}>
          <summary>Response body</summary>
          {attempt.responseBody ? <Code label={`Response body of attempt ${attempt.number}`}>{attempt.responseBody}</Code> : <span className="muted">Empty</span>}
          <div className="hint">The first 4 KiB as received.</div>
        </details>
        <details>
          <summary>Response headers</summary>
          <HeadersTable headers={attempt.responseHeaders ?? {}} label={`Response headers of attempt ${attempt.number}`} />
        </details>
        <details>
          <summary>Request headers</summary>
          {attempt.requestHeaders ? (
            <HeadersTable headers={attempt.requestHeaders} label={`Request headers of attempt ${attempt.number}`} />
          ) : (
            <span className="muted">Not recorded for this attempt</span>
          )}
        </details>
      </div>
    </article>
  );
}

export function NotFound({ what }: { what: string }) {
  const { base } = usePortal();
  return (
    <EmptyState title={`${what} not found`} icon="alert">
      It may have been deleted, or the link is wrong.
      <div style={{ marginTop: 12 }}>
        <Link to={`${base}/`}>Back to the overview</Link>
      </div>
    </EmptyState>
  );
}

export function DeliveryPage({ deliveryId }: { deliveryId: string }) {
  const { tenant, readOnly, base } = usePortal();
  const delivery = useLoad(() => tenant.delivery(deliveryId), [deliveryId]);
  const event = useLoad<EventView | undefined>(() => (delivery.data ? tenant.event(delivery.data.eventId) : Promise.resolve(undefined)), [delivery.data?.eventId]);
  const subscription = useLoad<Subscription | undefined>(
    () => (delivery.data ? tenant.subscription(delivery.data.subscriptionId).catch(() => undefined) : Promise.resolve(undefined)),
    [delivery.data?.subscriptionId],
  );
  const [retrying, setRetrying] = useState(false);
  const [retryError, setRetryError] = useState<unknown>();
  const [retried, setRetried] = useState(false);

  // Follow this delivery live: a new attempt or status reloads it.
  useDeliveryStream(tenant, (d) => {
    if (d.id === deliveryId && (d.status !== delivery.data?.status || d.attemptCount !== delivery.data?.attemptCount)) delivery.reload();
  });

  if (delivery.error instanceof ApiError && delivery.error.status === 404) return <NotFound what="Delivery" />;
  if (delivery.error) return <ErrorNotice error={delivery.error} onRetry={delivery.reload} />;
  if (!delivery.data) return <Spinner label="Loading delivery" />;
  const d: DeliveryDetail = delivery.data;
  const body = event.data ? eventBody(event.data) : undefined;

  const retry = async () => {
    setRetrying(true);
    setRetryError(undefined);
    try {
      delivery.setData(await tenant.retryDelivery(d.id));
      setRetried(true);
    } catch (caught) {
      setRetryError(caught);
    } finally {
      setRetrying(false);
    }
  };

  return (
    <>
      <PageHeader
        back={
          <Link to={`${base}/deliveries`}>
            <Icon name="back" /> Deliveries
          </Link>
        }
        title={
          <span className="row">
            <span className="mono">{d.eventType}</span> <StatusBadge status={d.status} />
          </span>
        }
        subtitle={<span className="mono">{d.id}</span>}
        actions={
          !readOnly && (
            <Button variant="primary" icon="retry" onClick={retry} busy={retrying}>
              Retry
            </Button>
          )
        }
      />
      {!readOnly && (
        <p className="muted">
          Retry sends this delivery again now: one more delivery cycle, with its own retries if it fails, and the same <span className="mono">webhook-id</span> so your endpoint can
          tell it is the same event.
        </p>
      )}
      {d.nextAttemptAt && (d.status === 'pending' || d.status === 'failed') && (
        <Notice tone="info">
          Next attempt scheduled <Time iso={d.nextAttemptAt} /> ({relativeTime(d.nextAttemptAt)}).{!readOnly && ' Retry sends it now instead of waiting.'}
        </Notice>
      )}
      {retried && <Notice tone="good">Retry started: a new attempt is on its way.</Notice>}
      {retryError ? <ErrorNotice error={retryError} /> : null}
      <div className="stack">
        <Card title="Summary">
          <dl className="props">
            <dt>Endpoint</dt>
            <dd>
              {subscription.data ? (
                <Link to={`${base}/endpoints/${subscription.data.id}`} className="mono">
                  {subscription.data.url}
                </Link>
              ) : (
                <span className="mono">{d.subscriptionId}</span>
              )}
            </dd>
            <dt>Event</dt>
            <dd className="mono">{d.eventId}</dd>
            <dt>Created</dt>
            <dd>
              <Time iso={d.createdAt} />
            </dd>
            <dt>Attempts</dt>
            <dd>{d.attemptCount}</dd>
            <dt>Last result</dt>
            <dd>{d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? '—')}</dd>
          </dl>
        </Card>
        <Card title="Payload" actions={body && <CopyButton text={prettyJson(JSON.parse(body))} label="Copy payload" />}>
          {event.error ? <ErrorNotice error={event.error} /> : body ? <Code label="Payload">{prettyJson(JSON.parse(body))}</Code> : <Spinner label="Loading payload" />}
        </Card>
        <Card title={`Attempts (${d.attempts.length})`}>
          {d.attempts.length === 0 ? (
            <EmptyState title="No attempt yet" icon="send">
              The first attempt is on its way.
            </EmptyState>
          ) : (
            d.attempts
              .slice()
              .reverse()
              .map((attempt) => <AttemptCard key={attempt.id} attempt={attempt} url={subscription.data?.url} body={body} />)
          )}
        </Card>
      </div>
    </>
  );
}
