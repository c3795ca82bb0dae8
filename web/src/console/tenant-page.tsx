import { type FormEvent, useId, useMemo, useState } from 'react';
import { ApiError } from '../api/client';
import type { ApiKey, PortalSession } from '../api/models';
import { tenantApi } from '../api/tenant-api';
import { Button, Card, CopyButton, Dialog, ErrorNotice, Field, Notice, PageHeader, Spinner, Time, useLoad } from '../ui/components';
import { Icon } from '../ui/icons';
import { Link, useLocation } from '../ui/router';
import { NotFound } from '../portal/delivery-page';
import { PortalContext } from '../portal/portal-context';
import { portalNav, PortalViews } from '../portal/portal-views';
import { CONSOLE, useConsole } from './console-context';

function ApiKeys({ tenantId }: { tenantId: string }) {
  const { admin } = useConsole();
  const id = useId();
  const keys = useLoad(() => admin.apiKeys(tenantId), [tenantId]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<ApiKey>();
  const [revoking, setRevoking] = useState<ApiKey>();
  const [error, setError] = useState<unknown>();
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      setCreated(await admin.createApiKey(tenantId, name.trim() || 'console'));
      setName('');
      keys.reload();
    } catch (caught) {
      setError(caught);
    }
  };
  const revoke = async (key: ApiKey) => {
    try {
      await admin.revokeApiKey(tenantId, key.id);
      setRevoking(undefined);
      keys.reload();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <Card title="API keys">
      {error ? <ErrorNotice error={error} /> : null}
      {created?.key && (
        <Notice tone="warn">
          <div className="stack" style={{ gap: 8, width: '100%' }}>
            <strong>Copy this key now: it is shown only once.</strong>
            <div className="row">
              <span className="secret" aria-label="New API key">
                {created.key}
              </span>
              <CopyButton text={created.key} />
            </div>
          </div>
        </Notice>
      )}
      <form className="row" onSubmit={create} style={{ marginBottom: 12 }}>
        <input
          type="text"
          aria-label="Key name"
          placeholder="Key name, e.g. backend"
          value={name}
          onChange={(e) => setName(e.target.value)}
          style={{ maxWidth: 260 }}
          id={`${id}-name`}
        />
        <Button type="submit" icon="key">
          Create key
        </Button>
      </form>
      {keys.loading && <Spinner />}
      {keys.data?.data.length === 0 && <p className="muted">No API keys.</p>}
      {keys.data && keys.data.data.length > 0 && (
        <table aria-label="API keys">
          <thead>
            <tr>
              <th>Name</th>
              <th>Prefix</th>
              <th>Created</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.data.map((k) => (
              <tr key={k.id}>
                <td>{k.name ?? '—'}</td>
                <td className="mono">{k.prefix}…</td>
                <td>
                  <Time iso={k.createdAt} />
                </td>
                <td>
                  <Button small variant="danger" label={`Revoke key ${k.name ?? k.prefix}`} onClick={() => setRevoking(k)}>
                    Revoke
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Dialog title="Revoke this key?" open={!!revoking} onClose={() => setRevoking(undefined)}>
        <p>
          Requests made with <span className="mono">{revoking?.prefix}…</span> are refused from now on.
        </p>
        <div className="form-actions">
          <Button onClick={() => setRevoking(undefined)}>Cancel</Button>
          <Button variant="danger" onClick={() => revoking && void revoke(revoking)}>
            Revoke key
          </Button>
        </div>
      </Dialog>
    </Card>
  );
}

const EXPIRIES = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 7 * 86_400, label: '7 days' },
];

function PortalLink({ tenantId }: { tenantId: string }) {
  const { admin } = useConsole();
  const id = useId();
  const [expires, setExpires] = useState(3600);
  const [readOnly, setReadOnly] = useState(false);
  const [session, setSession] = useState<PortalSession>();
  const [error, setError] = useState<unknown>();
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      setSession(await admin.createPortalSession(tenantId, { expiresInSeconds: expires, readOnly }));
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <Card title="Portal link">
      <p className="muted" style={{ marginTop: 0 }}>
        A link to hand to this customer: it opens their webhook portal without an account, until it expires.
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      <form onSubmit={create}>
        <div className="grid-2">
          <Field label="Valid for" htmlFor={`${id}-expires`}>
            <select id={`${id}-expires`} value={expires} onChange={(e) => setExpires(Number(e.target.value))}>
              {EXPIRIES.map((e) => (
                <option key={e.seconds} value={e.seconds}>
                  {e.label}
                </option>
              ))}
            </select>
          </Field>
          <label className="check" style={{ alignSelf: 'center' }}>
            <input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} /> Read-only (can look, cannot change anything)
          </label>
        </div>
        <Button type="submit" variant="primary" icon="plus">
          Make portal link
        </Button>
      </form>
      {session && (
        <div className="stack" style={{ marginTop: 14 }}>
          <div className="row">
            <span className="secret" aria-label="New portal link" style={{ flex: 1 }}>
              {session.url}
            </span>
            <CopyButton text={session.url} label="Copy link" />
          </div>
          <span className="hint">
            Shown once. Expires <Time iso={session.expiresAt} />
            {session.readOnly ? '; read-only' : ''}.
          </span>
        </div>
      )}
    </Card>
  );
}

/** One tenant: its portal view (the customer's own pages, with the admin key), keys and links. */
export function TenantPage({ tenantId }: { tenantId: string }) {
  const { admin, api } = useConsole();
  const tenant = useLoad(() => admin.tenant(tenantId), [tenantId]);
  const { path } = useLocation();
  const base = `${CONSOLE}/tenants/${tenantId}`;
  const context = useMemo(() => ({ tenant: tenantApi(api, tenantId), readOnly: false, base }), [api, tenantId, base]);
  if (tenant.error instanceof ApiError && tenant.error.status === 404)
    return (
      <PortalContext.Provider value={context}>
        <NotFound what="Tenant" />
      </PortalContext.Provider>
    );
  if (tenant.error) return <ErrorNotice error={tenant.error} onRetry={tenant.reload} />;
  if (!tenant.data) return <Spinner label="Loading tenant" />;
  const access = path === `${base}/access`;
  const tabs = [...portalNav(base), { to: `${base}/access`, label: 'Keys and links', icon: 'key' as const }];
  const current = tabs.filter((t) => path.startsWith(t.to)).sort((a, b) => b.to.length - a.to.length)[0] ?? tabs[0];
  return (
    <>
      <PageHeader
        back={
          <Link to={`${CONSOLE}/tenants`}>
            <Icon name="back" /> Tenants
          </Link>
        }
        title={tenant.data.name}
        subtitle={<span className="mono">{tenant.data.id}</span>}
      />
      <nav className="tabs" aria-label="Tenant">
        {tabs.map((t) => (
          <Link key={t.to} to={t.to} aria-current={t === current ? 'page' : undefined}>
            {t.label}
          </Link>
        ))}
      </nav>
      {access ? (
        <div className="stack">
          <PortalLink tenantId={tenantId} />
          <ApiKeys tenantId={tenantId} />
        </div>
      ) : (
        <PortalContext.Provider value={context}>
          <PortalViews />
        </PortalContext.Provider>
      )}
    </>
  );
}
