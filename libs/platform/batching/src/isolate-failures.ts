/** What to do when an attempt on several items throws. */
export type FailureHandling =
  /** The fault may lie with one item: try each half again, down to single items. */
  | 'isolate'
  /** Every attempt would fail alike (the server is gone): each item of this attempt gets the error. */
  | 'fail'
  /** Not for this level to decide (e.g. the caller's transaction must be retried whole): throw it. */
  | 'throw';

/**
 * Runs `attempt` on all items at once and, only if it throws, on each half, recursively, so items
 * written together fail only for their own fault: one bad item among n costs about 2·log2(n) more
 * attempts, the happy path none. Halves run one after the other (a caller's transaction carries one
 * statement at a time). `attempt` returns one result per item (an Error fails that item alone) and
 * must leave nothing behind when it throws.
 */
export async function isolateFailures<I, O>(
  items: I[],
  attempt: (items: I[]) => Promise<(O | Error)[]>,
  handling: (error: unknown) => FailureHandling,
  onSplit: (error: unknown, items: number) => void = () => undefined,
): Promise<(O | Error)[]> {
  if (items.length === 0) return [];
  try {
    return await attempt(items);
  } catch (error) {
    const decision = handling(error);
    if (decision === 'throw') throw error;
    if (decision === 'fail' || items.length === 1) return items.map(() => asError(error));
    onSplit(error, items.length);
    const middle = Math.ceil(items.length / 2);
    const first = await isolateFailures(items.slice(0, middle), attempt, handling, onSplit);
    const second = await isolateFailures(items.slice(middle), attempt, handling, onSplit);
    return [...first, ...second];
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
