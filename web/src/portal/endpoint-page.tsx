import { lazy, Suspense, useState } from 'react';
import { ApiError } from '../api/client';
import type { EventView } from '../api/models';
import { Button, Card, Dialog, ErrorNotice, Notice, PageHeader, Spinner, StatusBadge, Time, useLoad } from '../ui/components';
import { Icon } from '../ui/icons';
import { Link, navigate } from '../ui/router';
import { DeliveryLog, type LogFilters } from './deliveries-page';
import { NotFound } from './delivery-page';
import { EndpointForm } from './endpoint-form';
import { disabledWhy, EventFilter } from './endpoints-page';
import { usePortal } from './portal-context';
import { RecoverForm } from './recover-form';
import { SecretCard } from './secret-card';
import { TestEventForm } from './test-event-dialog';

const Charts = lazy(() => import('./charts'));

type Open = 'edit' | 'test' | 'recover' | 'delete' | null;

export function EndpointPage({ subscriptionId }: { subscriptionId: string }) {
  const { tenant, readOnly, base } = usePortal();
  const subscription = useLoad(() => tenant.subscription(subscriptionId), [subscriptionId]);
  const catalogue = useLoad(() => tenant.eventTypes(), [tenant]);
  const [open, setOpen] = useState<Open>(null);
  const [sent, setSent] = useState<EventView>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  if (subscription.error instanceof ApiError && subscription.error.status === 404) return <NotFound what="Endpoint" />;
  if (subscription.error) return <ErrorNotice error={subscription.error} onRetry={subscription.reload} />;
  if (!subscription.data) return <Spinner label="Loading endpoint" />;
  const s = subscription.data;
  const close = () => setOpen(null);

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const toggle = () => act(async () => subscription.setData(s.status === 'active' ? await tenant.disable(s.id) : await tenant.enable(s.id)));
  const remove = () =>
    act(async () => {
      await tenant.deleteSubscription(s.id);
      navigate(`${base}/endpoints`);
    });
  const filters: LogFilters = { subscriptionId: s.id };

  return (
    <>
      <PageHeader
        back={
          <Link to={`${base}/endpoints`}>
            <Icon name="back" /> Endpoints
          </Link>
        }
        title={<span className="mono">{s.url}</span>}
        subtitle={
          <span className="row">
            <StatusBadge status={s.status} />
            {disabledWhy(s) && <span>{disabledWhy(s)}</span>}
            {s.description && <span>{s.description}</span>}
          </span>
        }
        actions={
          !readOnly && (
            <>
              <Button variant="primary" icon="send" onClick={() => setOpen('test')} disabled={s.status !== 'active'}>
                Send test event
              </Button>
              <Button onClick={() => setOpen('edit')}>Edit</Button>
              <Button onClick={toggle} busy={busy}>
                {s.status === 'active' ? 'Disable' : 'Enable'}
              </Button>
              <Button icon="refresh" onClick={() => setOpen('recover')}>
                Recover
              </Button>
              <Button variant="danger" icon="trash" onClick={() => setOpen('delete')}>
                Delete
              </Button>
            </>
          )
        }
      />
      {error ? <ErrorNotice error={error} /> : null}
      {s.status !== 'active' && !readOnly && (
        <Notice tone="warn">This endpoint is disabled: it gets no new deliveries. Enable it, then use Recover to receive what it missed.</Notice>
      )}
      {sent && (
        <Notice tone="good">
          Test event <span className="mono">{sent.id}</span> sent. It appears in the deliveries below as soon as it is delivered.
        </Notice>
      )}
      <div className="stack">
        <div className="grid-2">
          <Card title="Details">
            <dl className="props">
              <dt>Events</dt>
              <dd>
                <EventFilter types={s.eventTypes} />
              </dd>
              <dt>Rate limit</dt>
              <dd>{s.rateLimitPerSecond ? `${s.rateLimitPerSecond} per second` : 'No limit'}</dd>
              <dt>Custom headers</dt>
              <dd>
                {Object.keys(s.headers).length ? (
                  Object.keys(s.headers).map((h) => (
                    <span key={h} className="chip">
                      {h}
                    </span>
                  ))
                ) : (
                  <span className="muted">None</span>
                )}
              </dd>
              <dt>Signature</dt>
              <dd>{s.signatureScheme === 'v1a' ? 'Ed25519 (v1a)' : 'HMAC-SHA256 (v1)'}</dd>
              <dt>Created</dt>
              <dd>
                <Time iso={s.createdAt} />
              </dd>
              <dt>Id</dt>
              <dd className="mono">{s.id}</dd>
            </dl>
          </Card>
          <SecretCard subscription={s} />
        </div>
        <Suspense fallback={<Spinner label="Loading charts" />}>
          <Charts subscriptionId={s.id} title="Activity" />
        </Suspense>
        <Card title="Recent deliveries" className="card-flush">
          <DeliveryLog filters={filters} subscriptions={[s]} compact />
        </Card>
      </div>

      <Dialog title="Edit endpoint" open={open === 'edit'} onClose={close} wide>
        <EndpointForm
          initial={s}
          catalogue={catalogue.data ?? []}
          submitLabel="Save changes"
          onCancel={close}
          onSubmit={async (input) => {
            subscription.setData(await tenant.updateSubscription(s.id, input));
            close();
          }}
        />
      </Dialog>
      <Dialog title="Send a test event" open={open === 'test'} onClose={close} wide>
        <TestEventForm
          subscriptionId={s.id}
          catalogue={catalogue.data ?? []}
          onCancel={close}
          onSent={(event) => {
            setSent(event);
            close();
          }}
        />
      </Dialog>
      <Dialog title="Recover missed deliveries" open={open === 'recover'} onClose={close}>
        <RecoverForm subscriptionId={s.id} onClose={close} />
      </Dialog>
      <Dialog title="Delete this endpoint?" open={open === 'delete'} onClose={close}>
        <p>
          We stop sending to <span className="mono">{s.url}</span> and cancel its pending deliveries. This cannot be undone.
        </p>
        <div className="form-actions">
          <Button onClick={close}>Keep it</Button>
          <Button variant="danger" icon="trash" onClick={remove} busy={busy}>
            Delete endpoint
          </Button>
        </div>
      </Dialog>
    </>
  );
}
