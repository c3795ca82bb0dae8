import { decodeFeedCursor, encodeFeedCursor, FEED_START, laterPosition } from './feed-cursor';

describe('feed cursors', () => {
  it('round-trip a position as an opaque url-safe string', () => {
    const position = { xactId: 9_223_372_036_854_775_807n, seq: 42n };
    const cursor = encodeFeedCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeFeedCursor(cursor)).toEqual(position);
    expect(decodeFeedCursor(encodeFeedCursor(FEED_START))).toEqual(FEED_START);
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['another version', Buffer.from('f2.1.2').toString('base64url')],
    ['a non-number', Buffer.from('f1.1.x').toString('base64url')],
    ['beyond bigint', Buffer.from('f1.9223372036854775808.1').toString('base64url')],
    ['empty', ''],
  ])('refuse %s', (_case, cursor) => {
    expect(decodeFeedCursor(cursor)).toBeNull();
  });

  it('order positions by transaction, then seq', () => {
    const a = { xactId: 5n, seq: 100n };
    const b = { xactId: 6n, seq: 1n };
    expect(laterPosition(a, b)).toBe(b);
    expect(laterPosition(b, a)).toBe(b);
    expect(laterPosition({ xactId: 6n, seq: 2n }, b)).toEqual({ xactId: 6n, seq: 2n });
  });
});
