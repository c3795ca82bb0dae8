import { status } from '@grpc/grpc-js';
import type { PublishRequest } from '@hookline/grpc-contract';
import { ProblemException } from '@hookline/http-problem';
import type { ItemOutcome, StreamItem, StreamLimits, StreamPublisher } from './publish-stream';
import { consumePublishStream, MAX_LISTED_ERRORS } from './publish-stream';

const request = (i: number, tenantId = 'ten_1'): PublishRequest => ({ tenantId, type: 't', dataJson: Buffer.from(String(i)), idempotencyKey: '' });
const indexOf = (item: StreamItem) => item.input.data as number;
const limits = (overrides: Partial<StreamLimits> = {}): StreamLimits => ({ batchSize: 10, batchBytes: 1 << 20, batchesInFlight: 2, lingerMs: 5, ...overrides });

async function* messages(count: number, onRead: (i: number) => void = () => {}) {
  for (let i = 0; i < count; i++) {
    onRead(i);
    yield request(i);
  }
}

/** Prepares by parsing the data as the message's number; publishes after `delayMs`. */
function publisher(publishBatch: (items: StreamItem[]) => Promise<ItemOutcome[]>, prepare?: (r: PublishRequest) => void): StreamPublisher {
  return {
    prepare: async (r) => {
      prepare?.(r);
      return { tenantId: r.tenantId, input: { type: r.type, data: Number(r.dataJson.toString()) } };
    },
    publishBatch,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('consumePublishStream', () => {
  it('publishes in batches, at most `batchesInFlight` at once, and reads no further ahead than that allows', async () => {
    let read = 0;
    let published = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    let maxUnpublished = 0;
    const sizes: number[] = [];
    const summary = await consumePublishStream(
      messages(95, () => {
        read++;
        maxUnpublished = Math.max(maxUnpublished, read - published);
      }),
      publisher(async (items) => {
        sizes.push(items.length);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await sleep(5);
        inFlight--;
        published += items.length;
        return items.map(() => ({ replayed: false }));
      }),
      () => undefined,
      limits(),
    );
    expect(summary).toMatchObject({ accepted: 95, rejected: 0 });
    expect(sizes).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 5]);
    expect(maxInFlight).toBe(2);
    // Two batches being written, one being filled, and the message that found no free slot.
    expect(maxUnpublished).toBeLessThanOrEqual(2 * 10 + 10 + 1);
  });

  it('closes a batch early once its data reaches batchBytes', async () => {
    const sizes: number[] = [];
    await consumePublishStream(
      messages(30),
      publisher(async (items) => (sizes.push(items.length), items.map(() => ({ replayed: false })))),
      () => undefined,
      limits({ batchSize: 100, batchBytes: 10 }),
    );
    // Each message's data is 1-2 bytes ("0".."29"): 10 single digits, then 5 two-digit numbers per batch.
    expect(sizes).toEqual([10, 5, 5, 5, 5]);
  });

  it('publishes a partial batch after lingerMs while the producer is idle', async () => {
    const published: number[][] = [];
    let release!: () => void;
    const idle = new Promise<void>((resolve) => (release = resolve));
    async function* trickle() {
      yield request(0);
      yield request(1);
      await idle;
      yield request(2);
    }
    const done = consumePublishStream(
      trickle(),
      publisher(async (items) => (published.push(items.map(indexOf)), items.map(() => ({ replayed: false })))),
      () => undefined,
      limits({ lingerMs: 10 }),
    );
    // The producer stays idle (the third message waits for `release`): only the linger timer can publish.
    for (let waited = 0; published.length === 0 && waited < 2_000; waited += 10) await sleep(10);
    expect(published).toEqual([[0, 1]]);
    release();
    await done;
    expect(published).toEqual([[0, 1], [2]]);
  });

  it('counts replays, and lists rejections in index order with their gRPC codes and proto field names', async () => {
    const internal: number[] = [];
    const summary = await consumePublishStream(
      messages(8),
      publisher(
        async (items) =>
          items.map((item) => {
            const i = indexOf(item);
            if (i === 1) return { error: new ProblemException(409, 'used', [{ field: 'idempotencyKey', message: 'already used' }]) };
            if (i === 6) return { error: new ProblemException(413, 'data: too large', [{ field: 'data', message: 'too large' }]) };
            return { replayed: i === 4 };
          }),
        (r) => {
          if (r.dataJson.toString() === '3') throw new ProblemException(404, 'Tenant not found');
        },
      ),
      (_error, index) => internal.push(index),
      limits({ batchSize: 3 }),
    );
    expect(summary).toEqual({
      accepted: 5,
      rejected: 3,
      replayed: 1,
      errorsTruncated: false,
      errors: [
        { index: 1, code: status.ALREADY_EXISTS, message: 'used', fieldErrors: [{ field: 'idempotency_key', message: 'already used' }] },
        { index: 3, code: status.NOT_FOUND, message: 'Tenant not found', fieldErrors: [] },
        { index: 6, code: status.RESOURCE_EXHAUSTED, message: 'data_json: too large', fieldErrors: [{ field: 'data_json', message: 'too large' }] },
      ],
    });
    expect(internal).toEqual([]);
  });

  it('rejects every message of a batch that failed as a whole with INTERNAL, and reports it', async () => {
    const internal: number[] = [];
    const summary = await consumePublishStream(
      messages(6),
      publisher(async (items) => {
        if (items.some((item) => indexOf(item) === 4)) throw new Error('database went away');
        return items.map(() => ({ replayed: false }));
      }),
      (_error, index) => internal.push(index),
      limits({ batchSize: 3 }),
    );
    expect(summary).toMatchObject({ accepted: 3, rejected: 3 });
    expect(summary.errors.map((e) => [e.index, e.code, e.message])).toEqual([3, 4, 5].map((i) => [i, status.INTERNAL, 'Internal server error']));
    expect(internal).toEqual([3, 4, 5]);
  });

  it('caps the listed errors but keeps counting', async () => {
    const total = MAX_LISTED_ERRORS + 5;
    const summary = await consumePublishStream(
      messages(total),
      publisher(async (items) => items.map(() => ({ error: new ProblemException(422, 'bad') }))),
      () => undefined,
      limits({ batchSize: 100 }),
    );
    expect(summary.rejected).toBe(total);
    expect(summary.errors).toHaveLength(MAX_LISTED_ERRORS);
    expect(summary.errorsTruncated).toBe(true);
  });

  it('rejects when the stream itself fails, and publishes nothing more', async () => {
    const published: number[] = [];
    async function* failing() {
      yield request(0);
      throw new Error('cancelled');
    }
    await expect(
      consumePublishStream(
        failing(),
        publisher(async (items) => (published.push(...items.map(indexOf)), items.map(() => ({ replayed: false })))),
        () => undefined,
        limits(),
      ),
    ).rejects.toThrow('cancelled');
    await sleep(20);
    expect(published).toEqual([]);
  });
});
