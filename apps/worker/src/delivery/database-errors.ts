/**
 * SQLSTATE classes of errors that the same statement would hit again: bad data, a constraint, a
 * missing object or privilege, a RAISE in a function or trigger. Everything else (a dropped
 * connection, a deadlock, a serialization failure, an overloaded or restarting server, a node
 * socket error) may pass on a second try.
 */
const DETERMINISTIC_CLASSES = new Set(['21', '22', '23', '2B', '42', '44', 'P0']);

/** True unless Postgres refused the statement for a reason a retry cannot change. */
export function isTransientDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return !DETERMINISTIC_CLASSES.has(code.slice(0, 2));
}
