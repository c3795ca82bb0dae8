import type { FailOpen } from '@hookline/queue';

/** A Redis call's answer, or null when Redis fails (recorded under `endpoint_gate`: endpoint health fails open). */
export async function orNullWhenRedisFails<T>(failOpen: FailOpen, call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    failOpen.record('endpoint_gate', error);
    return null;
  }
}
