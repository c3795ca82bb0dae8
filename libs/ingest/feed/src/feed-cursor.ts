/**
 * A place in a tenant's feed: just after the event inserted by transaction `xactId` with `seq`.
 * Positions never change and never depend on a row still existing, so a cursor from yesterday
 * (or from before a retention purge) still reads on from where it was issued.
 */
export interface FeedPosition {
  xactId: bigint;
  seq: bigint;
}

export const FEED_START: FeedPosition = { xactId: 0n, seq: 0n };

const VERSION = 'f1';
const SHAPE = /^f1\.(\d{1,20})\.(\d{1,20})$/;

/** Opaque to clients: base64url of `f1.<xactId>.<seq>`. */
export function encodeFeedCursor(position: FeedPosition): string {
  return Buffer.from(`${VERSION}.${position.xactId}.${position.seq}`).toString('base64url');
}

/** Null for anything this server did not issue. */
export function decodeFeedCursor(cursor: string): FeedPosition | null {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(cursor)) return null;
  const match = SHAPE.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match) return null;
  const position = { xactId: BigInt(match[1]), seq: BigInt(match[2]) };
  const max = 2n ** 63n - 1n;
  return position.xactId > max || position.seq > max ? null : position;
}

export function laterPosition(a: FeedPosition, b: FeedPosition): FeedPosition {
  return a.xactId > b.xactId || (a.xactId === b.xactId && a.seq >= b.seq) ? a : b;
}
