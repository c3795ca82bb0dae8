import { createContext, useContext } from 'react';
import type { AdminApi } from '../api/admin-api';
import type { Api } from '../api/client';

export const ConsoleContext = createContext<{ admin: AdminApi; api: Api } | null>(null);

export function useConsole() {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside a ConsoleContext');
  return value;
}

export const CONSOLE = '/console';
