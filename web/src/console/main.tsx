import { type FormEvent, StrictMode, useEffect, useId, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { adminApi } from '../api/admin-api';
import { ApiError, createApi } from '../api/client';
import type { Branding } from '../api/models';
import { whoami } from '../api/tenant-api';
import { loadBranding } from '../ui/branding';
import { Button, Card, ErrorNotice, Field } from '../ui/components';
import { BaseContext, match, useLocation } from '../ui/router';
import { Brand, Shell } from '../ui/shell';
import '../ui/styles.css';
import { BulkJobsPage } from './bulk-jobs-page';
import { CONSOLE, ConsoleContext } from './console-context';
import { DeadLettersPage } from './dead-letters-page';
import { ConsoleEventTypesPage } from './event-types-page';
import { HealthPage } from './health-page';
import { ReplaysPage } from './replays-page';
import { TenantPage } from './tenant-page';
import { TenantsPage } from './tenants-page';

const STORAGE_KEY = 'hookline.console.key';

const NAV = [
  { to: `${CONSOLE}/health`, label: 'Health', icon: 'pulse' as const },
  { to: `${CONSOLE}/tenants`, label: 'Tenants', icon: 'users' as const },
  { to: `${CONSOLE}/dead-letters`, label: 'Dead letters', icon: 'alert' as const },
  { to: `${CONSOLE}/replays`, label: 'Replays', icon: 'retry' as const },
  { to: `${CONSOLE}/bulk-jobs`, label: 'Bulk jobs', icon: 'upload' as const },
  { to: `${CONSOLE}/event-types`, label: 'Event types', icon: 'tag' as const },
];

function SignIn({ branding, notice, onSignedIn }: { branding: Branding; notice?: string; onSignedIn: (key: string) => void }) {
  const id = useId();
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const me = await whoami(createApi(key.trim(), () => undefined));
      if (me.kind !== 'admin') throw new Error('This is not an admin key. The console needs the admin API key.');
      onSignedIn(key.trim());
    } catch (caught) {
      setError(caught instanceof ApiError && caught.status === 401 ? new Error('This key was not accepted: check it and try again.') : caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="full-page">
      <Card>
        <Brand branding={{ ...branding, title: 'Hookline console' }} />
        <h1>Sign in</h1>
        <p className="muted">Operators sign in with the admin API key. It is kept in this tab only and forgotten when the tab closes.</p>
        {notice && (
          <div className="notice notice-warn" role="status">
            {notice}
          </div>
        )}
        {error ? <ErrorNotice error={error} /> : null}
        <form onSubmit={submit}>
          <Field label="Admin API key" htmlFor={`${id}-key`}>
            <input id={`${id}-key`} type="password" autoComplete="current-password" value={key} onChange={(e) => setKey(e.target.value)} required />
          </Field>
          <Button type="submit" variant="primary" busy={busy} disabled={!key.trim()}>
            Sign in
          </Button>
        </form>
      </Card>
    </main>
  );
}

function Views() {
  const { path } = useLocation();
  const tenant = /^\/console\/tenants\/([^/]+)(\/.*)?$/.exec(path);
  if (tenant) return <TenantPage key={tenant[1]} tenantId={decodeURIComponent(tenant[1])} />;
  if (path === CONSOLE || path === `${CONSOLE}/` || match(`${CONSOLE}/health`, path)) return <HealthPage />;
  if (match(`${CONSOLE}/tenants`, path)) return <TenantsPage />;
  if (match(`${CONSOLE}/dead-letters`, path)) return <DeadLettersPage />;
  if (match(`${CONSOLE}/replays`, path)) return <ReplaysPage />;
  if (match(`${CONSOLE}/bulk-jobs`, path)) return <BulkJobsPage />;
  if (match(`${CONSOLE}/event-types`, path)) return <ConsoleEventTypesPage />;
  return <HealthPage />;
}

function Console({ branding }: { branding: Branding }) {
  const [key, setKey] = useState(() => sessionStorage.getItem(STORAGE_KEY));
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    document.title = 'Hookline console';
  }, []);
  const signOut = (message?: string) => {
    sessionStorage.removeItem(STORAGE_KEY);
    setNotice(message);
    setKey(null);
  };
  const value = useMemo(() => {
    if (!key) return null;
    const api = createApi(key, () => signOut('Your admin key is no longer accepted. Sign in again.'));
    return { api, admin: adminApi(api) };
  }, [key]);

  if (!value) {
    return (
      <SignIn
        branding={branding}
        notice={notice}
        onSignedIn={(k) => {
          sessionStorage.setItem(STORAGE_KEY, k);
          setNotice(undefined);
          setKey(k);
        }}
      />
    );
  }
  return (
    <BaseContext.Provider value={CONSOLE}>
      <ConsoleContext.Provider value={value}>
        <Shell
          branding={{ ...branding, title: 'Hookline console' }}
          nav={NAV}
          footer={
            <Button small variant="ghost" icon="logout" onClick={() => signOut()}>
              Sign out
            </Button>
          }
        >
          <Views />
        </Shell>
      </ConsoleContext.Provider>
    </BaseContext.Provider>
  );
}

// loadBranding never rejects (it falls back to the default branding).
void loadBranding().then((branding) =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Console branding={branding} />
    </StrictMode>,
  ),
);
