import { Injectable } from '@nestjs/common';
import { ProblemException } from '@hookline/http-problem';
import { decodeFeedCursor, encodeFeedCursor, FEED_START, FeedPosition, laterPosition } from './feed-cursor';
import { FeedEventRow, FeedRepository } from './feed.repository';
import { EventNotifications } from './event-notifications';

export interface FeedQuery {
  /** A `nextCursor` from an earlier page; absent: from the oldest event kept. */
  after?: string;
  limit: number;
  /** Names or prefix wildcards (`invoice.*`), as in a subscription's filter; empty: every type. */
  types: string[];
  /** How long to hold an empty page open for the first matching event (0..30 s). */
  waitMs: number;
  /** Ends a long poll early (the client went away). */
  signal?: AbortSignal;
}

export interface FeedEventView {
  id: string;
  type: string;
  data: unknown;
  idempotencyKey: string | null;
  createdAt: Date;
}

/** Never null, even for an empty page: polling again with it continues from here. */
export interface FeedPageView {
  data: FeedEventView[];
  nextCursor: string;
}

/** A matching event is committed but not yet below the horizon: look again after this, then twice that… */
const SETTLE_RECHECK_MIN_MS = 20;
const SETTLE_RECHECK_MAX_MS = 500;

/** The polling feed (docs/contract.md#the-rest-api): a tenant's events in publish order, oldest first. */
@Injectable()
export class FeedService {
  constructor(
    private readonly repository: FeedRepository,
    private readonly notifications: EventNotifications,
  ) {}

  async read(tenantId: string, query: FeedQuery): Promise<FeedPageView> {
    let position = FEED_START;
    if (query.after !== undefined) {
      const decoded = decodeFeedCursor(query.after);
      if (!decoded) throw ProblemException.invalid('after', 'is not a cursor this feed issued');
      position = decoded;
    }
    const deadline = Date.now() + query.waitMs;
    // Subscribed before the first read, so an event committed between the read and the wait still wakes it.
    const subscription = query.waitMs > 0 ? this.notifications.subscribe(tenantId) : undefined;
    try {
      let recheckMs = SETTLE_RECHECK_MIN_MS;
      for (;;) {
        const { events, next, pending } = await this.readOnce(tenantId, position, query);
        const remaining = deadline - Date.now();
        if (events.length > 0 || !subscription || remaining <= 0 || query.signal?.aborted) return view(events, next);
        position = next;
        const outcome = await subscription.wait(pending ? Math.min(recheckMs, remaining) : remaining, query.signal);
        if (pending) recheckMs = Math.min(recheckMs * 2, SETTLE_RECHECK_MAX_MS);
        else recheckMs = SETTLE_RECHECK_MIN_MS;
        if (outcome === 'closed') return view([], next);
      }
    } finally {
      subscription?.close();
    }
  }

  /**
   * One page. When it is not full every matching event up to the horizon is in it, so the cursor
   * may skip ahead to the tenant's last event below the horizon (of any type): a filtered poll
   * does not rescan the same non-matching events each time.
   */
  private async readOnce(tenantId: string, after: FeedPosition, query: FeedQuery): Promise<{ events: FeedEventRow[]; next: FeedPosition; pending: boolean }> {
    const page = await this.repository.page(tenantId, after, query.types, query.limit);
    const lastShown = page.events.at(-1);
    let next = lastShown ? { xactId: lastShown.xactId, seq: lastShown.seq } : after;
    if (page.events.length === query.limit) return { events: page.events, next, pending: false };
    const tail = await this.repository.tail(tenantId, next, query.types, page.horizon);
    if (tail.last) next = laterPosition(next, tail.last);
    return { events: page.events, next, pending: tail.pending };
  }
}

function view(events: FeedEventRow[], next: FeedPosition): FeedPageView {
  return {
    data: events.map((e) => ({ id: e.id, type: e.type, data: e.data, idempotencyKey: e.idempotencyKey, createdAt: e.createdAt })),
    nextCursor: encodeFeedCursor(next),
  };
}
