/**
 * Group commit: the first item is flushed at once; items submitted while a flush is in flight wait
 * and go together in the next one. Under light load every item goes alone with no added wait; under
 * heavy load batches grow by themselves, so one round trip serves many callers. No timers.
 * Why: docs/decisions/group-commit.md.
 *
 * `flush` gets the items in submission order and returns one result per item, in the same order;
 * a result that is an Error rejects only its own caller. If `flush` throws, every item of that
 * batch is rejected with the error.
 */
export class GroupCommit<I, O> {
  private waiting: { item: I; resolve: (value: O) => void; reject: (error: Error) => void }[] = [];
  private flushing = false;

  constructor(
    private readonly flush: (items: I[]) => Promise<(O | Error)[]>,
    private readonly maxBatch = 1_000,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  /** Items submitted and not yet answered. */
  get pending(): number {
    return this.waiting.length;
  }

  private async drain() {
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.maxBatch);
        try {
          const results = await this.flush(batch.map((w) => w.item));
          if (results.length !== batch.length) throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
          batch.forEach((waiting, i) => {
            const result = results[i];
            if (result instanceof Error) waiting.reject(result);
            else waiting.resolve(result);
          });
        } catch (error) {
          for (const waiting of batch) waiting.reject(error as Error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
