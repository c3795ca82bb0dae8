import type { Attempt, Delivery, Prisma, PrismaService } from '@hookline/database';

/*
 * Attempts have no Prisma relation to their delivery (the two tables are partitioned apart, with no
 * foreign key between them), so tests that read deliveries with their attempts join them here.
 */

/** Attempts of the deliveries `where` selects. */
export async function countAttemptsOf(prisma: PrismaService, where: Prisma.DeliveryWhereInput): Promise<number> {
  const deliveries = await prisma.delivery.findMany({ where, select: { id: true } });
  return prisma.attempt.count({ where: { deliveryId: { in: deliveries.map((d) => d.id) } } });
}

/** The deliveries `where` selects, each with its attempts in number order. */
export async function deliveriesWithAttempts(prisma: PrismaService, where: Prisma.DeliveryWhereInput): Promise<(Delivery & { attempts: Attempt[] })[]> {
  const deliveries = await prisma.delivery.findMany({ where, orderBy: { id: 'asc' } });
  const attempts = await prisma.attempt.findMany({ where: { deliveryId: { in: deliveries.map((d) => d.id) } }, orderBy: { number: 'asc' } });
  return deliveries.map((delivery) => ({ ...delivery, attempts: attempts.filter((a) => a.deliveryId === delivery.id) }));
}
