import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, createApi } from '../api/client';
import type { Branding, Whoami } from '../api/models';
import { tenantApi, whoami } from '../api/tenant-api';
import { loadBranding } from '../ui/branding';
import { Button, Card, ErrorNotice, Spinner, Time } from '../ui/components';
import { BaseContext } from '../ui/router';
import { Brand, Shell } from '../ui/shell';
import '../ui/styles.css';
import { PortalContext } from './portal-context';
import { portalNav, PortalViews } from './portal-views';
import { forgetPortalToken, portalSessionEnded, takePortalToken } from './session';

const BASE = '/portal';

function FullPage({ branding, title, children }: { branding: Branding; title: string; children: React.ReactNode }) {
  return (
    <main className="full-page">
      <Card>
        <Brand branding={branding} />
        <h1>{title}</h1>
        {children}
      </Card>
    </main>
  );
}

/** Shown on a 401: the link expired or was revoked. With PORTAL_REFRESH_URL, we send the user there. */
function SessionEnded({ branding, signedOut }: { branding: Branding; signedOut?: boolean }) {
  const [seconds, setSeconds] = useState(5);
  useEffect(() => {
    forgetPortalToken();
    if (!branding.refreshUrl) return;
    if (seconds === 0) {
      window.location.assign(branding.refreshUrl);
      return;
    }
    const timer = setTimeout(() => setSeconds((s) => s - 1), 1000);
    return () => clearTimeout(timer);
  }, [seconds, branding.refreshUrl]);
  return (
    <FullPage branding={branding} title={signedOut ? 'You have signed out' : 'Your session has ended'}>
      <p>
        {signedOut
          ? 'This tab no longer holds your portal link.'
          : 'For your security, portal links work for a limited time, and this one has expired or was withdrawn. Nothing is wrong with your webhooks.'}
      </p>
      {branding.refreshUrl ? (
        <>
          <p className="muted" role="status">
            Taking you back to get a fresh link in {seconds} s…
          </p>
          <a className="btn btn-primary" href={branding.refreshUrl}>
            Get a new link now
          </a>
        </>
      ) : (
        <p className="muted">Open the webhooks page again from the app you came from to get a fresh link.</p>
      )}
    </FullPage>
  );
}

/** Who the portal token belongs to, or why that could not be read; null without a token. */
type SessionLookup = { me: Whoami } | { error: unknown } | null;

const unauthorized = (session: SessionLookup) => session !== null && 'error' in session && session.error instanceof ApiError && session.error.status === 401;

function Portal({ branding, token, session }: { branding: Branding; token: string | null; session: SessionLookup }) {
  const [ended, setEnded] = useState(() => (!token && portalSessionEnded()) || unauthorized(session));
  const [signedOut, setSignedOut] = useState(false);
  const api = useMemo(() => (token ? createApi(token, () => setEnded(true)) : null), [token]);
  const me = session && 'me' in session ? session.me : undefined;
  const error = session && 'error' in session ? session.error : undefined;

  useEffect(() => {
    document.title = branding.title;
  }, [branding.title]);

  const context = useMemo(() => (api && me?.tenantId ? { tenant: tenantApi(api, me.tenantId), readOnly: me.readOnly, base: BASE } : null), [api, me]);

  if (ended) return <SessionEnded branding={branding} signedOut={signedOut} />;
  if (!token) {
    return (
      <FullPage branding={branding} title="Open this page from your portal link">
        <p>This page shows your webhook endpoints and deliveries. It opens from a link made for you by the app you use; ask there for access to webhooks.</p>
      </FullPage>
    );
  }
  if (error)
    return (
      <FullPage branding={branding} title="We could not open the portal">
        <ErrorNotice error={error} onRetry={() => window.location.reload()} />
      </FullPage>
    );
  if (!context || !me) return <Spinner label="Opening your portal" />;
  return (
    <BaseContext.Provider value={BASE}>
      <PortalContext.Provider value={context}>
        <Shell
          branding={branding}
          nav={portalNav(BASE)}
          footer={
            <>
              {me.readOnly && <span className="tag-readonly">Read-only</span>}
              {me.expiresAt && (
                <span>
                  Session ends <Time iso={me.expiresAt} />
                </span>
              )}
              <Button
                small
                variant="ghost"
                icon="logout"
                onClick={() => {
                  forgetPortalToken();
                  setSignedOut(true);
                  setEnded(true);
                }}
              >
                Sign out
              </Button>
            </>
          }
        >
          <PortalViews />
        </Shell>
      </PortalContext.Provider>
    </BaseContext.Provider>
  );
}

// The token leaves the address bar before anything else runs; then branding and the session are
// read side by side, not one after the other (each is a round trip before the first screen).
const token = takePortalToken();
const session: Promise<SessionLookup> = token
  ? whoami(createApi(token, () => undefined)).then(
      (me) => ({ me }),
      (error: unknown) => ({ error }),
    )
  : Promise.resolve(null);

// Neither rejects: branding falls back to the default, the session lookup carries its error.
void Promise.all([loadBranding(), session]).then(([branding, lookup]) =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Portal branding={branding} token={token} session={lookup} />
    </StrictMode>,
  ),
);
