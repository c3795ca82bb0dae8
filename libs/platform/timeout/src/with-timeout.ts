/**
 * Rejects with `Error(message)` when `promise` takes longer than `ms` (the promise itself goes on;
 * its result is ignored). A Redis, DNS or database that does not answer must not hold a request,
 * a publish or a shutdown open. The timer is cleared either way.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message = `timed out after ${ms}ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
