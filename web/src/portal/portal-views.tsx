import { lazy, Suspense } from 'react';
import type { NavItem } from '../ui/shell';
import { PageHeader, Spinner } from '../ui/components';
import { match, useLocation } from '../ui/router';
import { DeliveriesPage } from './deliveries-page';
import { DeliveryPage, NotFound } from './delivery-page';
import { EndpointPage } from './endpoint-page';
import { EndpointsPage } from './endpoints-page';
import { EventTypesPage } from './event-types-page';
import { usePortal } from './portal-context';

const Charts = lazy(() => import('./charts'));
const VerifyPage = lazy(() => import('./verify-page'));

export function portalNav(base: string): NavItem[] {
  return [
    { to: `${base}/endpoints`, label: 'Endpoints', icon: 'endpoint' },
    { to: `${base}/deliveries`, label: 'Deliveries', icon: 'list' },
    { to: `${base}/activity`, label: 'Activity', icon: 'chart' },
    { to: `${base}/event-types`, label: 'Event catalogue', icon: 'book' },
    { to: `${base}/verify`, label: 'Verify signatures', icon: 'shield' },
  ];
}

function ActivityPage() {
  return (
    <>
      <PageHeader title="Activity" subtitle="Deliveries to all your endpoints over time." />
      <Charts title="All endpoints" />
    </>
  );
}

/** The customer views under `base`; the console mounts the same views for any tenant. */
export function PortalViews() {
  const { base } = usePortal();
  const { path } = useLocation();
  const rest = path.startsWith(base) ? path.slice(base.length) || '/' : path;
  let params: Record<string, string> | null;
  const page = (() => {
    if (rest === '/' || match('/endpoints', rest)) return <EndpointsPage />;
    if ((params = match('/endpoints/:id', rest))) return <EndpointPage key={params.id} subscriptionId={params.id} />;
    if (match('/deliveries', rest)) return <DeliveriesPage />;
    if ((params = match('/deliveries/:id', rest))) return <DeliveryPage key={params.id} deliveryId={params.id} />;
    if (match('/activity', rest)) return <ActivityPage />;
    if (match('/event-types', rest)) return <EventTypesPage />;
    if (match('/verify', rest)) return <VerifyPage />;
    return <NotFound what="Page" />;
  })();
  return <Suspense fallback={<Spinner />}>{page}</Suspense>;
}
