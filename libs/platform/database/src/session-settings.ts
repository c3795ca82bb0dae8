import type { ClientBase, PoolConfig } from 'pg';

/**
 * What every connection Hookline opens to Postgres sets first.
 *
 * `jit = off`: Postgres compiles a statement to machine code with LLVM once its estimated cost
 * passes `jit_above_cost`, and estimates grow with the tables. Hookline's statements are short and
 * batched, so the compiling is all cost: on a 480,000-delivery table, recording 50 attempts took
 * 55–125 ms with JIT, almost all of it in LLVM, and 6–20 ms without; in a soak the backlog drained
 * at a quarter of the rate (docs/hot-path.md).
 *
 * A statement on connect rather than the `options` startup parameter, which PgBouncer refuses.
 */
const SESSION_SETUP_SQL = 'SET jit = off';

/**
 * Pool options: each new connection runs SESSION_SETUP_SQL before the pool hands it out (a
 * connection that cannot is closed, and its caller gets the error).
 */
export const SESSION_SETTINGS: Pick<PoolConfig, 'onConnect'> = {
  // pg-pool awaits the promise (its types say void).
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  onConnect: async (client: ClientBase) => {
    await client.query(SESSION_SETUP_SQL);
  },
};
