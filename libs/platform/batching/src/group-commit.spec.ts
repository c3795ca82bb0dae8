import { GroupCommit } from './group-commit';

/** A flush that stays open until released, and remembers every batch it was given. */
function gatedFlush() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const flush = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((release) => gates.push(release));
    return items.map((n) => (n < 0 ? new Error(`negative ${n}`) : n * 10));
  };
  const releaseNext = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  return { batches, flush, releaseNext };
}

describe('GroupCommit', () => {
  it('flushes the first item alone and at once, and batches what arrives meanwhile', async () => {
    const { batches, flush, releaseNext } = gatedFlush();
    const group = new GroupCommit(flush);
    const first = group.submit(1);
    expect(batches).toEqual([[1]]);
    const rest = [group.submit(2), group.submit(3), group.submit(4)];
    expect(group.pending).toBe(3);
    await releaseNext();
    expect(await first).toBe(10);
    await releaseNext();
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    expect(group.pending).toBe(0);
  });

  it('rejects only the item whose result is an Error', async () => {
    const { flush, releaseNext } = gatedFlush();
    const group = new GroupCommit(flush);
    const results = Promise.allSettled([group.submit(5), group.submit(-1), group.submit(6)]);
    await releaseNext();
    await releaseNext();
    expect((await results).map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([50, 'negative -1', 60]);
  });

  it('rejects a whole batch when the flush throws, and keeps serving later items', async () => {
    let fail = true;
    const group = new GroupCommit(async (items: number[]) => {
      if (fail) throw new Error('database away');
      return items;
    });
    const failed = await Promise.allSettled([group.submit(1), group.submit(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await group.submit(3)).toBe(3);
  });

  it('caps a batch at maxBatch and rejects a flush that answers the wrong number of results', async () => {
    const sizes: number[] = [];
    const group = new GroupCommit(async (items: number[]) => {
      sizes.push(items.length);
      return items;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => group.submit(n)));
    expect(sizes).toEqual([1, 2, 2]);

    const short = new GroupCommit(async (items: number[]) => items.slice(1));
    await expect(short.submit(1)).rejects.toThrow('0 results for 1 items');
  });
});
