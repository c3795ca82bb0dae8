import type { FailureHandling } from './isolate-failures';
import { isolateFailures } from './isolate-failures';

/** An attempt that throws when any of its items is negative, remembering the sizes it was given. */
function poisonable(handling: FailureHandling = 'isolate') {
  const attempts: number[][] = [];
  const attempt = async (items: number[]) => {
    attempts.push(items);
    const poison = items.find((n) => n < 0);
    if (poison !== undefined) throw new Error(`poison ${poison}`);
    return items.map((n) => (n === 0 ? new Error('zero') : n * 10));
  };
  return { attempts, attempt, handling: () => handling };
}

describe('isolateFailures', () => {
  it('makes one attempt when nothing throws, keeping per-item errors as they are', async () => {
    const { attempts, attempt, handling } = poisonable();
    const results = await isolateFailures([1, 0, 3], attempt, handling);
    expect(results).toEqual([10, new Error('zero'), 30]);
    expect(attempts).toEqual([[1, 0, 3]]);
  });

  it('fails only the guilty items, in order, splitting in halves', async () => {
    const { attempts, attempt, handling } = poisonable();
    const items = Array.from({ length: 16 }, (_, i) => (i === 5 || i === 12 ? -i : i + 1));
    const splits: number[] = [];
    const results = await isolateFailures(items, attempt, handling, (_, n) => splits.push(n));
    expect(results).toEqual(items.map((n) => (n < 0 ? new Error(`poison ${n}`) : n * 10)));
    // 1 whole + 2 halves + 4 quarters (two clean) ... never more than 2·log2(16) per poison.
    expect(attempts.length).toBeLessThanOrEqual(1 + 2 * 2 * Math.log2(16));
    expect(splits[0]).toBe(16);
  });

  it('gives every item the error when splitting cannot help, and rethrows when told to', async () => {
    const fail = poisonable('fail');
    expect(await isolateFailures([1, -2, 3], fail.attempt, fail.handling)).toEqual([new Error('poison -2'), new Error('poison -2'), new Error('poison -2')]);
    expect(fail.attempts).toHaveLength(1);

    const rethrow = poisonable('throw');
    await expect(isolateFailures([1, -2, 3], rethrow.attempt, rethrow.handling)).rejects.toThrow('poison -2');
  });

  it('makes no attempt for no items', async () => {
    const { attempts, attempt, handling } = poisonable();
    expect(await isolateFailures([], attempt, handling)).toEqual([]);
    expect(attempts).toEqual([]);
  });
});
