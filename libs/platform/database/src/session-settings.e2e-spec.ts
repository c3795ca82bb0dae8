import { Client } from 'pg';
import type { AppConfig } from '@hookline/config';
import { PrismaService } from './prisma.service';
import { SqlPool } from './sql-pool';

type Jit = { jit: string };

describe('Postgres session settings', () => {
  const databaseUrl = process.env.DATABASE_URL!;

  it('turns JIT compilation off on every connection of the hot-path pool and of Prisma', async () => {
    // The server's own setting, as a connection that is not Hookline's sees it: what would apply otherwise.
    const plain = new Client({ connectionString: databaseUrl });
    await plain.connect();
    const { rows: server } = await plain.query<Jit>('SHOW jit').finally(() => plain.end());
    expect(server[0].jit).toBe('on');

    const config = { DATABASE_URL: databaseUrl } as AppConfig;
    const pool = new SqlPool(config);
    const prisma = new PrismaService(config);
    try {
      // As many at once as each pool opens, so every connection is a new one and each is asked.
      const fromPool = await Promise.all(Array.from({ length: 8 }, () => pool.rows<Jit>('SELECT current_setting($1) AS jit, pg_sleep(0.05)', ['jit'])));
      const fromPrisma = await Promise.all(Array.from({ length: 20 }, () => prisma.$queryRawUnsafe<Jit[]>("SELECT current_setting('jit') AS jit, pg_sleep(0.05)::text")));
      expect(new Set([...fromPool, ...fromPrisma].map(([row]) => row.jit))).toEqual(new Set(['off']));
      expect(pool.totalCount).toBe(8);
    } finally {
      await pool.end();
      await prisma.$disconnect();
    }
  });
});
