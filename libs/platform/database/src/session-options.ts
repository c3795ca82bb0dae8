/**
 * What every Hookline connection to Postgres sets when it opens (the `options` startup parameter;
 * a DATABASE_URL with an `options` parameter of its own replaces it).
 *
 * `jit=off`: Postgres compiles a statement to machine code with LLVM once its estimated cost passes
 * `jit_above_cost`, and estimates grow with the tables. Hookline's statements are short and batched,
 * so the compiling is all cost: on a 480,000-delivery table, recording 50 attempts took 55–125 ms
 * with JIT, almost all of it in LLVM, and 6–20 ms without; in a soak the delivered rate fell by
 * three quarters as the tables grew past the threshold (docs/hot-path.md).
 */
export const POSTGRES_SESSION_OPTIONS = '-c jit=off';
