import type { AppConfig } from '@hookline/config';
import { PrismaService } from './prisma.service';
import { SqlPool } from './sql-pool';

type Jit = { jit: string };

/** Every connection Hookline opens to Postgres, through either client, as the services open them. */
async function jitSeenBy(databaseUrl: string): Promise<{ sqlPool: string; prisma: string }> {
  const config = { DATABASE_URL: databaseUrl } as AppConfig;
  const pool = new SqlPool(config);
  const prisma = new PrismaService(config);
  try {
    const [fromPool] = await pool.rows<Jit>('SHOW jit', []);
    const [fromPrisma] = await prisma.$queryRawUnsafe<Jit[]>('SHOW jit');
    return { sqlPool: fromPool.jit, prisma: fromPrisma.jit };
  } finally {
    await pool.end();
    await prisma.$disconnect();
  }
}

describe('Postgres session options', () => {
  it('turns JIT compilation off for the hot-path pool and for Prisma', async () => {
    await expect(jitSeenBy(process.env.DATABASE_URL!)).resolves.toEqual({ sqlPool: 'off', prisma: 'off' });
  });

  // Also proves the first test can fail: the server's own setting shows through when ours is replaced.
  it('leaves it to a DATABASE_URL that sets its own options', async () => {
    const url = new URL(process.env.DATABASE_URL!);
    url.searchParams.set('options', '-c jit=on');
    await expect(jitSeenBy(url.toString())).resolves.toEqual({ sqlPool: 'on', prisma: 'on' });
  });
});
