import { useEffect, useRef } from 'react';

/** How often the portal's and console's charts re-read their series while the page is visible. */
export const CHART_REFRESH_MS = 30_000;

/**
 * Calls `refresh` every `intervalMs` while the page is visible (document.visibilityState), never
 * while it is hidden: a tab left in the background costs the API nothing. Coming back after at
 * least one interval refreshes at once, then the rhythm starts again.
 */
export function useRefreshWhileVisible(refresh: () => void, intervalMs: number): void {
  const latest = useRef(refresh);
  useEffect(() => {
    latest.current = refresh;
  });
  useEffect(() => {
    let last = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      if (document.visibilityState !== 'visible') return;
      timer = setTimeout(
        () => {
          last = Date.now();
          latest.current();
          schedule();
        },
        Math.max(0, last + intervalMs - Date.now()),
      );
    };
    schedule();
    document.addEventListener('visibilitychange', schedule);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', schedule);
    };
  }, [intervalMs]);
}
