import type { FailureHandling } from '@hookline/batching';

/**
 * Why a publish statement failed decides what its inputs get. Postgres names the cause with a
 * SQLSTATE; a class that says "the server or the connection" is no input's fault, anything else (a
 * constraint, a trigger, a cast, a bug) may be one input's, so the inputs are tried apart.
 */

/** The server or the connection failed: connection exceptions, insufficient resources, system errors, shutdowns. */
function isServerFault(code: string): boolean {
  return ['08', '53', '58'].includes(code.slice(0, 2)) || /^57P0\d$/.test(code);
}

/**
 * The statement itself is wrong (syntax, an undefined column or function: a schema the code does not
 * expect). It fails alike for any rows, so splitting them cannot isolate anything.
 */
function isStatementFault(code: string): boolean {
  return code.startsWith('42');
}

/** Would likely pass if the same work ran again later: a deadlock, a serialization failure, a statement or lock timeout. */
function isTransient(code: string): boolean {
  return code.startsWith('40') || code === '57014' || code === '55P03';
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A socket error (ECONNREFUSED, ECONNRESET, …) rather than an answer from Postgres. */
function isSocketError(code: string): boolean {
  return /^E[A-Z]+$/.test(code);
}

/**
 * Its transaction cannot go on (a savepoint could not be rolled back to): the caller's whole
 * transaction must be retried.
 */
export class TransactionBroken extends Error {
  constructor(cause: unknown) {
    super(`transaction broken: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * The connection failed while the publish statement ran, with no answer from Postgres: it may have
 * committed. Running it again could publish its events twice, so its inputs fail as they are.
 */
export class CommitUnknown extends Error {
  constructor(cause: unknown) {
    super(`the connection failed during a publish, which may or may not have committed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** True for an answer from Postgres (it carries a SQLSTATE), false for a client-side or socket failure. */
export function isPostgresAnswer(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * A claim the statement saw taken was gone when read back (purged by retention in between). Nothing
 * of the input was written; published again, it would claim the key afresh.
 */
export class ClaimVanished extends Error {
  constructor(key: string) {
    super(`idempotency key ${key} vanished during a publish`);
  }
}

/** Statements on their own (a group commit): every input gets its own answer, none is retried later. */
export function autocommitFailure(error: unknown): FailureHandling {
  if (error instanceof CommitUnknown) return 'fail';
  const code = codeOf(error);
  if (code && (isSocketError(code) || isServerFault(code) || isStatementFault(code))) return 'fail';
  return 'isolate';
}

/**
 * Statements inside the caller's transaction (a bulk chunk): what another run of the whole
 * transaction may cure (later, or after a fix) is the caller's to retry, so no good row is refused for it.
 */
export function transactionFailure(error: unknown): FailureHandling {
  if (error instanceof TransactionBroken || error instanceof ClaimVanished || error instanceof CommitUnknown) return 'throw';
  const code = codeOf(error);
  if (code === undefined) return 'isolate';
  return isSocketError(code) || isServerFault(code) || isStatementFault(code) || isTransient(code) ? 'throw' : 'isolate';
}
