import { useEffect, useRef, useState } from 'react';
import type { Delivery } from '../api/models';
import type { TenantApi } from '../api/tenant-api';
import { parseEventStream } from '../lib/event-stream';

export type LiveState = 'connecting' | 'live' | 'polling' | 'offline';

/**
 * New and changed deliveries as they happen. Reads the server-sent events stream with fetch (an
 * EventSource cannot send the Authorization header); reconnects with backoff, and falls back to
 * polling the newest page when the stream is unavailable.
 */
export function useDeliveryStream(tenant: TenantApi, onDelivery: (delivery: Delivery) => void, enabled = true): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const callback = useRef(onDelivery);
  callback.current = onDelivery;

  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    let stopped = false;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;

    const poll = async () => {
      if (stopped) return;
      try {
        const page = await tenant.deliveries({ limit: 25 });
        page.data.forEach((d) => callback.current(d));
        setState('polling');
      } catch {
        setState('offline');
      }
      pollTimer = setTimeout(() => void poll(), 4000);
    };

    const connect = async (failures: number): Promise<void> => {
      if (stopped) return;
      try {
        const response = await fetch(tenant.streamUrl, {
          headers: { Authorization: `Bearer ${tenant.api.token}`, Accept: 'text/event-stream' },
          signal: abort.signal,
          cache: 'no-store',
        });
        if (response.status === 401) return setState('offline');
        if (!response.ok || !response.body) return void poll();
        setState('live');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = parseEventStream(buffer + value, (event, data) => {
            if (event !== 'delivery') return;
            try {
              callback.current(JSON.parse(data) as Delivery);
            } catch {
              // A malformed event is skipped; the next one still counts.
            }
          });
        }
        if (!stopped) setTimeout(() => void connect(0), 500);
      } catch {
        if (stopped) return;
        setState('connecting');
        setTimeout(() => void connect(failures + 1), Math.min(30_000, 1000 * 2 ** failures));
      }
    };
    void connect(0);
    return () => {
      stopped = true;
      abort.abort();
      clearTimeout(pollTimer);
    };
  }, [tenant, enabled]);
  return state;
}
