import { createContext, useContext } from 'react';
import type { TenantApi } from '../api/tenant-api';

export interface PortalContextValue {
  tenant: TenantApi;
  readOnly: boolean;
  /** URL prefix of the portal views: `/portal`, or `/console/tenants/<id>` for an operator. */
  base: string;
}

export const PortalContext = createContext<PortalContextValue | null>(null);

export function usePortal(): PortalContextValue {
  const value = useContext(PortalContext);
  if (!value) throw new Error('usePortal outside a PortalContext');
  return value;
}
