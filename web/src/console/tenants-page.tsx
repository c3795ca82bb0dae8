import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { useDebounced } from '../lib/use-debounced';
import type { Tenant } from '../api/models';
import { Button, Card, Dialog, EmptyState, ErrorNotice, Field, PageHeader, Spinner, Time, useLoad } from '../ui/components';
import { Link, navigate } from '../ui/router';
import { CONSOLE, useConsole } from './console-context';

const SEARCH_DEBOUNCE_MS = 250;

export function TenantsPage() {
  const { admin } = useConsole();
  const id = useId();
  const [tenants, setTenants] = useState<Tenant[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  // The server searches every tenant (name or exact id), not just the pages loaded so far.
  const q = useDebounced(query.trim(), SEARCH_DEBOUNCE_MS);
  // An answer for a search the user has typed past must not replace the current one's rows.
  const current = useRef(q);
  useEffect(() => {
    current.current = q;
  }, [q]);
  const list = useLoad(async () => {
    const page = await admin.tenants(undefined, q || undefined);
    if (current.current === q) {
      setTenants(page.data);
      setCursor(page.nextCursor);
    }
    return page;
  }, [q]);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const more = async () => {
    if (!cursor) return;
    const page = await admin.tenants(cursor, q || undefined);
    if (current.current !== q) return;
    setTenants((t) => [...t, ...page.data]);
    setCursor(page.nextCursor);
  };
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const tenant = await admin.createTenant(name.trim());
      navigate(`${CONSOLE}/tenants/${tenant.id}`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const shown = tenants;

  return (
    <>
      <PageHeader
        title="Tenants"
        subtitle="Every customer and their webhooks."
        actions={
          <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
            New tenant
          </Button>
        }
      />
      <Card className="card-flush">
        <div className="filters">
          <div className="field">
            <label htmlFor={`${id}-search`}>Search tenants</label>
            <input
              id={`${id}-search`}
              type="search"
              placeholder="Name or ten_ id"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && query.trim().startsWith('ten_')) navigate(`${CONSOLE}/tenants/${query.trim()}`);
              }}
            />
          </div>
        </div>
        {list.error ? <ErrorNotice error={list.error} onRetry={list.reload} /> : null}
        {list.loading && <Spinner label="Loading tenants" />}
        {!list.loading && shown.length === 0 && (
          <EmptyState title={q ? 'No tenant matches' : 'No tenants yet'} icon="users">
            {q ? 'No tenant has this in its name or as its id.' : 'Create one to get started.'}
          </EmptyState>
        )}
        {shown.length > 0 && (
          <div className="table-wrap">
            <table aria-label="Tenants">
              <thead>
                <tr>
                  <th>Name</th>
                  <th className="hide-narrow">Id</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((t) => (
                  <tr key={t.id} className="clickable" onClick={() => navigate(`${CONSOLE}/tenants/${t.id}`)}>
                    <td>
                      <Link to={`${CONSOLE}/tenants/${t.id}`}>{t.name}</Link>
                    </td>
                    <td className="mono hide-narrow">{t.id}</td>
                    <td>
                      <Time iso={t.createdAt} />
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
      <Dialog title="New tenant" open={creating} onClose={() => setCreating(false)}>
        <form onSubmit={create} noValidate>
          {error && !(error instanceof ApiError && error.fieldMessage('name')) ? <ErrorNotice error={error} /> : null}
          <Field label="Name" htmlFor={`${id}-name`} error={error instanceof ApiError ? error.fieldMessage('name') : undefined}>
            <input id={`${id}-name`} type="text" value={name} onChange={(e) => setName(e.target.value)} required />
          </Field>
          <div className="form-actions">
            <Button onClick={() => setCreating(false)}>Cancel</Button>
            <Button type="submit" variant="primary" busy={busy}>
              Create tenant
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
