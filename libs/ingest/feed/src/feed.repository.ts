import { Injectable } from '@nestjs/common';
import { PrismaService } from '@hookline/database';
import { FeedPosition } from './feed-cursor';

export interface FeedEventRow {
  id: string;
  type: string;
  data: unknown;
  idempotencyKey: string | null;
  createdAt: Date;
  xactId: bigint;
  seq: bigint;
}

export interface FeedPage {
  /** Every transaction below this has ended: their events are all visible, nothing new can join them. */
  horizon: bigint;
  events: FeedEventRow[];
}

export interface FeedTail {
  /** The tenant's last event below the horizon, of any type. */
  last: FeedPosition | null;
  /** A matching event is committed after `after` but above the horizon: it will be readable shortly. */
  pending: boolean;
}

/**
 * Why (xact_id, seq) and a horizon rather than `seq > cursor`: sequence values are taken in one
 * order and committed in another. Transaction A takes seq 10, B takes 11 and commits, a reader
 * returns 11 and moves its cursor past it, then A commits: 10 would be skipped forever.
 *
 * So a reader only returns events whose inserting transaction is older than the oldest
 * transaction still running (`pg_snapshot_xmin` of its snapshot, the horizon). Every transaction
 * below the horizon has ended, so all its events are visible now, and any event committed later
 * comes from a transaction at or above the horizon, i.e. after every event returned, in
 * (xact_id, seq) order. Events of one transaction keep their seq (publish) order; events of
 * different transactions come in the order their transactions started writing, which for
 * concurrent publishes is as good a "publish order" as any, and for sequential ones is the same.
 *
 * The price: an event is readable once every transaction that was running when it committed has
 * ended, usually milliseconds (a bulk chunk's transaction, a second at most). A session left idle
 * in a transaction holding an xid stalls the feed until it ends; `idle_in_transaction_session_timeout`
 * bounds that. A settle window on created_at would be cheaper and wrong for any transaction that
 * outlives it; taking a lock per publish would serialise every tenant's publishing.
 */
@Injectable()
export class FeedRepository {
  constructor(private readonly prisma: PrismaService) {}

  async page(tenantId: string, after: FeedPosition, types: string[], limit: number): Promise<FeedPage> {
    const rows = await this.prisma.$queryRawUnsafe<(Omit<FeedEventRow, 'id'> & { id: string | null; horizon: string })[]>(
      `WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin)
       SELECT h.xmin::text AS horizon, e.id, e.type, e.data, e.idempotency_key AS "idempotencyKey",
              e.created_at AS "createdAt", e.xact_id AS "xactId", e.seq
       FROM horizon h
       LEFT JOIN LATERAL (
         SELECT * FROM events e
         WHERE e.tenant_id = $1 AND (e.xact_id, e.seq) > ($2::bigint, $3::bigint) AND e.xact_id < h.xmin
           AND hookline_type_matches($4::text[], e.type)
         ORDER BY e.xact_id, e.seq
         LIMIT $5
       ) e ON true
       ORDER BY e.xact_id, e.seq`,
      tenantId,
      after.xactId.toString(),
      after.seq.toString(),
      types,
      limit,
    );
    return { horizon: BigInt(rows[0].horizon), events: rows.filter((row): row is FeedEventRow & { horizon: string } => row.id !== null) };
  }

  async tail(tenantId: string, after: FeedPosition, types: string[], horizon: bigint): Promise<FeedTail> {
    const [row] = await this.prisma.$queryRawUnsafe<{ last: string[] | null; pending: boolean }[]>(
      `SELECT (SELECT ARRAY[xact_id::text, seq::text] FROM events
                WHERE tenant_id = $1 AND xact_id < $2::bigint ORDER BY xact_id DESC, seq DESC LIMIT 1) AS last,
              EXISTS (SELECT 1 FROM events
                WHERE tenant_id = $1 AND xact_id >= $2::bigint AND (xact_id, seq) > ($3::bigint, $4::bigint)
                  AND hookline_type_matches($5::text[], type)) AS pending`,
      tenantId,
      horizon.toString(),
      after.xactId.toString(),
      after.seq.toString(),
      types,
    );
    return { last: row.last ? { xactId: BigInt(row.last[0]), seq: BigInt(row.last[1]) } : null, pending: row.pending };
  }
}
