import { autocommitFailure, ClaimVanished, CommitUnknown, isPostgresAnswer, TransactionBroken, transactionFailure } from './publish-faults';

const postgres = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });

describe('what a failed publish statement means for its inputs', () => {
  it.each([
    ['a trigger raising', 'isolate', 'isolate', postgres('P0001')],
    ['a check constraint', 'isolate', 'isolate', postgres('23514')],
    ['an untranslatable character', 'isolate', 'isolate', postgres('22P05')],
    ['an error of our own, no SQLSTATE', 'isolate', 'isolate', new Error('stored schema no longer compiles')],
    ['a deadlock', 'isolate', 'throw', postgres('40P01')],
    ['a statement timeout', 'isolate', 'throw', postgres('57014')],
    ['an undefined column', 'fail', 'throw', postgres('42703')],
    ['a connection failure', 'fail', 'throw', postgres('08006')],
    ['an admin shutdown', 'fail', 'throw', postgres('57P01')],
    ['too many connections', 'fail', 'throw', postgres('53300')],
    ['a refused socket', 'fail', 'throw', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a broken transaction', 'isolate', 'throw', new TransactionBroken(new Error('Connection terminated'))],
    ['a connection lost during the statement', 'fail', 'throw', new CommitUnknown(new Error('Connection terminated unexpectedly'))],
    ['a vanished claim', 'isolate', 'throw', new ClaimVanished('k')],
  ])('%s: on its own %s, in a transaction %s', (_, alone, inTransaction, error) => {
    expect(autocommitFailure(error)).toBe(alone);
    expect(transactionFailure(error)).toBe(inTransaction);
  });

  it('tells an answer from Postgres from a failure on the way to it', () => {
    expect(isPostgresAnswer(postgres('23514'))).toBe(true);
    expect(isPostgresAnswer(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isPostgresAnswer(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(false);
  });
});
