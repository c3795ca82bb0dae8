import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface RefusedRows {
  /** Drops the trigger and its function. */
  remove(): Promise<void>;
}

export interface RefuseOptions {
  /** Checked at commit (a deferred constraint trigger) rather than as the row is inserted. */
  atCommit?: boolean;
  /** The SQLSTATE raised; by default P0001, as a trigger or a check of the schema would. */
  errcode?: string;
}

/**
 * Makes Postgres itself refuse rows of `table` for which `condition` (SQL over NEW) holds, as a
 * constraint, a trigger or a bug the application did not foresee would: a real failure of the real
 * statement, on rows a test picks. Alters the schema, so give it a database of the test's own
 * (createIsolatedDatabase).
 */
export async function refuseRows(databaseUrl: string, table: string, condition: string, options: RefuseOptions = {}): Promise<RefusedRows> {
  const name = `test_refuse_${randomBytes(4).toString('hex')}`;
  const errcode = options.errcode ?? 'P0001';
  await execute(databaseUrl, [
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF ${condition} THEN
         RAISE EXCEPTION 'refused by test trigger ${name}' USING ERRCODE = '${errcode}';
       END IF;
       RETURN NEW;
     END $$`,
    options.atCommit
      ? `CREATE CONSTRAINT TRIGGER ${name} AFTER INSERT ON ${table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${name}()`
      : `CREATE TRIGGER ${name} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`,
  ]);
  return { remove: () => execute(databaseUrl, [`DROP TRIGGER IF EXISTS ${name} ON ${table}`, `DROP FUNCTION IF EXISTS ${name}()`]) };
}

/**
 * Runs statements in one transaction on a connection of their own. DDL on a table that the API and
 * worker are writing (a partitioned one above all: its partitions are locked one by one) can meet
 * their locks in the other order; Postgres then aborts one side with a deadlock, and a test that
 * only changes the schema around live traffic simply tries again.
 */
export async function execute(databaseUrl: string, statements: string[]): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query('BEGIN');
        for (const statement of statements) await client.query(statement);
        await client.query('COMMIT');
        return;
      } catch (error) {
        await client.query('ROLLBACK');
        if ((error as { code?: string }).code !== DEADLOCK_DETECTED || attempt >= 5) throw error;
      }
    }
  } finally {
    await client.end();
  }
}

const DEADLOCK_DETECTED = '40P01';
