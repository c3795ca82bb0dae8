import { type FormEvent, useId, useState } from 'react';
import type { DeadLetterFilter } from '../api/admin-api';
import type { Delivery, Replay } from '../api/models';
import { fromLocalInput } from '../lib/format';
import { ReplayProgress, useReplayProgress } from '../portal/recover-form';
import { Button, Card, Dialog, EmptyState, ErrorNotice, PageHeader, Spinner, StatusBadge, Time, useLoad } from '../ui/components';
import { Link } from '../ui/router';
import { CONSOLE, useConsole } from './console-context';

type Row = Delivery & { tenantId: string };

/** Dead deliveries of every tenant, filtered; "Replay all matching" starts a bulk replay with the same filter. */
export function DeadLettersPage() {
  const { admin } = useConsole();
  const id = useId();
  const [draft, setDraft] = useState({ tenantId: '', subscriptionId: '', type: '', since: '', until: '' });
  const [filter, setFilter] = useState<DeadLetterFilter>({});
  const [rows, setRows] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const list = useLoad(async () => {
    const page = await admin.deadLetters(filter);
    setRows(page.data);
    setCursor(page.nextCursor);
    return page;
  }, [JSON.stringify(filter)]);
  const [confirming, setConfirming] = useState(false);
  const [started, setStarted] = useState<Replay>();
  const [error, setError] = useState<unknown>();
  const progress = useReplayProgress(started, admin.replay);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const clean = (v: string) => v.trim() || undefined;
    setFilter({
      tenantId: clean(draft.tenantId),
      subscriptionId: clean(draft.subscriptionId),
      type: clean(draft.type),
      since: fromLocalInput(draft.since),
      until: fromLocalInput(draft.until),
    });
  };
  const more = async () => {
    if (!cursor) return;
    const page = await admin.deadLetters(filter, cursor);
    setRows((r) => [...r, ...page.data]);
    setCursor(page.nextCursor);
  };
  const replay = async () => {
    setError(undefined);
    try {
      setStarted(
        await admin.startReplay({
          tenantId: filter.tenantId,
          subscriptionId: filter.subscriptionId,
          eventType: filter.type,
          since: filter.since,
          until: filter.until,
          status: ['dead'],
        }),
      );
    } catch (caught) {
      setError(caught);
    }
  };
  const field = (name: keyof typeof draft, label: string, type = 'text', placeholder = '') => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input id={`${id}-${name}`} type={type} placeholder={placeholder} value={draft[name]} onChange={(e) => setDraft({ ...draft, [name]: e.target.value })} />
    </div>
  );

  return (
    <>
      <PageHeader
        title="Dead letters"
        subtitle="Deliveries that ran out of attempts, across all tenants. Fix the cause, then replay them."
        actions={
          <Button variant="primary" icon="retry" onClick={() => setConfirming(true)} disabled={rows.length === 0}>
            Replay all matching
          </Button>
        }
      />
      <Card className="card-flush">
        <form className="filters" onSubmit={apply}>
          {field('tenantId', 'Tenant id', 'text', 'ten_…')}
          {field('subscriptionId', 'Endpoint id', 'text', 'sub_…')}
          {field('type', 'Event type', 'text', 'invoice.paid')}
          {field('since', 'From', 'datetime-local')}
          {field('until', 'To', 'datetime-local')}
          <Button type="submit">Apply filters</Button>
        </form>
        {list.error ? <ErrorNotice error={list.error} onRetry={list.reload} /> : null}
        {list.loading && <Spinner label="Loading dead letters" />}
        {!list.loading && rows.length === 0 && (
          <EmptyState title="No dead letters" icon="check">
            Nothing is stuck{Object.values(filter).some(Boolean) ? ' for these filters' : ''}.
          </EmptyState>
        )}
        {rows.length > 0 && (
          <div className="table-wrap">
            <table aria-label="Dead letters">
              <thead>
                <tr>
                  <th>Status</th>
                  <th>Event type</th>
                  <th className="hide-narrow">Tenant</th>
                  <th className="hide-narrow">Last result</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <StatusBadge status={d.status} />
                    </td>
                    <td>
                      <Link to={`${CONSOLE}/tenants/${d.tenantId}/deliveries/${d.id}`} className="mono" aria-label={`Dead delivery ${d.id}: ${d.eventType}`}>
                        {d.eventType}
                      </Link>
                    </td>
                    <td className="mono hide-narrow">
                      <Link to={`${CONSOLE}/tenants/${d.tenantId}`}>{d.tenantId}</Link>
                    </td>
                    <td className="hide-narrow">{d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? '—')}</td>
                    <td>
                      <Time iso={d.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {cursor && (
          <div className="table-footer">
            <Button onClick={() => void more()}>Load more</Button>
          </div>
        )}
      </Card>
      <Dialog
        title="Replay dead letters"
        open={confirming}
        onClose={() => {
          setConfirming(false);
          setStarted(undefined);
          list.reload();
        }}
      >
        {progress.replay ? (
          <div className="stack">
            <ReplayProgress replay={progress.replay} error={progress.error} />
            <div className="form-actions">
              <Button
                variant="primary"
                onClick={() => {
                  setConfirming(false);
                  setStarted(undefined);
                  list.reload();
                }}
              >
                Close
              </Button>
            </div>
          </div>
        ) : (
          <>
            <p>
              Scope:{' '}
              {Object.values(filter).some(Boolean) ? (
                Object.entries(filter)
                  .filter(([, v]) => v)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')
              ) : (
                <strong>every dead delivery of every tenant</strong>
              )}
              .
            </p>
            <p>
              Every dead delivery matching the filters is sent again with a fresh attempt budget and the same <span className="mono">webhook-id</span>. It runs in the background;
              you can close this and follow it under Replays.
            </p>
            {error ? <ErrorNotice error={error} /> : null}
            <div className="form-actions">
              <Button onClick={() => setConfirming(false)}>Cancel</Button>
              <Button variant="primary" icon="retry" onClick={() => void replay()}>
                Start replay
              </Button>
            </div>
          </>
        )}
      </Dialog>
    </>
  );
}
