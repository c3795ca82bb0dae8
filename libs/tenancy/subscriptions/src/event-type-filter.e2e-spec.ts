import { Client } from 'pg';
import { matchesEventType } from './event-type-filter';

/** Publishing matches in SQL (`hookline_type_matches`); both must agree on every case. */
describe('matchesEventType and the SQL function hookline_type_matches', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
  });
  afterAll(() => client.end());

  const cases: [string[], string][] = [
    [[], 'invoice.paid'],
    [['*'], 'invoice.paid'],
    [['invoice.paid'], 'invoice.paid'],
    [['invoice.paid'], 'invoice.paid.late'],
    [['invoice.paid'], 'Invoice.paid'],
    [['invoice.*'], 'invoice.paid'],
    [['invoice.*'], 'invoice.line.added'],
    [['invoice.*'], 'invoice'],
    [['invoice.*'], 'invoices.paid'],
    [['user.created', 'invoice.*'], 'invoice.paid'],
    [['user.created', 'invoice.*'], 'user.deleted'],
    [['a_b-c.*'], 'a_b-c.x'],
  ];

  it.each(cases)('filters %j and type %s', async (filters, type) => {
    const { rows } = await client.query<{ matches: boolean }>('SELECT hookline_type_matches($1::text[], $2) AS matches', [filters, type]);
    expect(rows[0].matches).toBe(matchesEventType(filters, type));
  });
});
