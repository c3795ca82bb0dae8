import { Injectable } from '@nestjs/common';
import { ApiKeyCache } from '@hookline/auth';
import { Prisma, PrismaService } from '@hookline/database';
import { ProblemException } from '@hookline/http-problem';
import { newId } from '@hookline/ids';
import { Page, toPage } from '@hookline/pagination';
import { ChangeAnnouncer } from '@hookline/queue';

export interface TenantView {
  id: string;
  name: string;
  metadata: Record<string, unknown> | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TenantInput {
  name: string;
  metadata?: Record<string, unknown>;
}

@Injectable()
export class TenantsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly apiKeyCache: ApiKeyCache,
    private readonly announcer: ChangeAnnouncer,
  ) {}

  async create(input: TenantInput): Promise<TenantView> {
    return view(await this.prisma.tenant.create({ data: { id: newId('ten'), name: input.name, metadata: input.metadata as Prisma.InputJsonValue } }));
  }

  /** Newest first; with `search`, only tenants whose name contains it (any case) or whose id it is. */
  async list(limit: number, cursor?: string, search?: string): Promise<Page<TenantView>> {
    const rows = await this.prisma.tenant.findMany({
      where: {
        ...(cursor ? { id: { lt: cursor } } : {}),
        ...(search ? { OR: [{ name: { contains: likeLiteral(search), mode: 'insensitive' } }, { id: search }] } : {}),
      },
      orderBy: { id: 'desc' },
      take: limit + 1,
    });
    return toPage(rows, limit, view);
  }

  async get(id: string): Promise<TenantView> {
    const row = await this.prisma.tenant.findUnique({ where: { id } });
    if (!row) throw ProblemException.notFound('Tenant');
    return view(row);
  }

  async update(id: string, input: Partial<TenantInput>): Promise<TenantView> {
    const { count } = await this.prisma.tenant.updateMany({
      where: { id },
      data: { name: input.name, metadata: input.metadata as Prisma.InputJsonValue | undefined },
    });
    if (count === 0) throw ProblemException.notFound('Tenant');
    return this.get(id);
  }

  /** Deletes the tenant with its keys, subscriptions, events, deliveries and attempts; its keys stop working at once in every API process. */
  async remove(id: string): Promise<void> {
    const count = await this.prisma.$transaction(async (tx) => {
      // Attempts have no foreign key to their delivery (partitioned apart), so no cascade reaches them.
      await tx.$executeRaw`DELETE FROM attempts a USING deliveries d WHERE d.tenant_id = ${id} AND a.delivery_id = d.id`;
      return (await tx.tenant.deleteMany({ where: { id } })).count;
    });
    if (count === 0) throw ProblemException.notFound('Tenant');
    await this.announcer.announce(this.apiKeyCache, id);
  }
}

function view(row: { id: string; name: string; metadata: unknown; createdAt: Date; updatedAt: Date }): TenantView {
  return { id: row.id, name: row.name, metadata: (row.metadata as Record<string, unknown> | null) ?? null, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

/** Prisma passes `contains` to LIKE as is: `%`, `_` and `\` must match themselves, not act as wildcards. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}
