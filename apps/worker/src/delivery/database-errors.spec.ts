import { isTransientDatabaseError } from './database-errors';

describe('isTransientDatabaseError', () => {
  it.each([
    ['P0001', 'raise_exception in a trigger'],
    ['23505', 'unique_violation'],
    ['23503', 'foreign_key_violation'],
    ['22P02', 'invalid_text_representation'],
    ['42P01', 'undefined_table'],
  ])('refused for good: %s (%s)', (code) => {
    expect(isTransientDatabaseError(Object.assign(new Error('refused'), { code }))).toBe(false);
  });

  it.each([
    ['40P01', 'deadlock_detected'],
    ['40001', 'serialization_failure'],
    ['57P01', 'admin_shutdown'],
    ['08006', 'connection_failure'],
    ['53300', 'too_many_connections'],
    ['ECONNREFUSED', 'a node socket error'],
  ])('may pass on a retry: %s (%s)', (code) => {
    expect(isTransientDatabaseError(Object.assign(new Error('failed'), { code }))).toBe(true);
  });

  it('treats an error without a code (a timeout, a closed pool) as transient', () => {
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });
});
