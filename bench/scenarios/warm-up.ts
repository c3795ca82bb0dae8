import type { DeliveryScope } from '../deliveries-db';
import { publishClosedLoop } from '../load';
import type { HooklineContext } from './scenario';

/**
 * Publishes `count` events and waits until `expected` deliveries of the scope succeeded, then
 * forgets what the receiver saw: JIT, connection pools and the worker's subscription cache are warm.
 */
export async function warmUp(ctx: HooklineContext, tenantId: string, type: string, count: number, scope: DeliveryScope, expected = count): Promise<void> {
  const log = await publishClosedLoop(ctx.api, tenantId, count, ctx.config.publishConcurrency, (i) => ctx.payloads.publishBody(type, i));
  if (log.errors > 0) throw new Error(`warm-up: ${log.errors} publishes failed, first: ${log.firstError}`);
  const done = await ctx.db.waitForSucceeded(scope, expected, 60_000);
  if (!done.complete) throw new Error(`warm-up: ${done.count} of ${expected} deliveries succeeded within 60 s`);
  await ctx.receiver.drain();
}
