import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@hookline/database';
import { ProblemException } from '@hookline/http-problem';
import { newId } from '@hookline/ids';
import { Page, toPage } from '@hookline/pagination';
import { generatePortalToken } from './api-key.crypto';

export interface PortalSessionView {
  id: string;
  readOnly: boolean;
  expiresAt: Date;
  createdAt: Date;
}

/** The one response that carries the token itself. */
export interface CreatedPortalSession {
  id: string;
  token: string;
  expiresAt: Date;
  readOnly: boolean;
}

@Injectable()
export class PortalSessionsService {
  constructor(private readonly prisma: PrismaService) {}

  async create(tenantId: string, options: { expiresInSeconds: number; readOnly: boolean }): Promise<CreatedPortalSession> {
    const { token, hash } = generatePortalToken();
    const expiresAt = new Date(Date.now() + options.expiresInSeconds * 1000);
    try {
      const row = await this.prisma.portalSession.create({
        data: { id: newId('pts'), tenantId, hash, readOnly: options.readOnly, expiresAt },
      });
      return { id: row.id, token, expiresAt: row.expiresAt, readOnly: row.readOnly };
    } catch (error) {
      // The tenant was deleted between the guard's check and this insert.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2003') throw ProblemException.notFound('Tenant');
      throw error;
    }
  }

  /** Sessions still usable (neither revoked nor expired), newest first; never the token or its hash. */
  async list(tenantId: string, limit: number, cursor?: string): Promise<Page<PortalSessionView>> {
    const rows = await this.prisma.portalSession.findMany({
      where: { tenantId, revokedAt: null, expiresAt: { gt: new Date() }, ...(cursor ? { id: { lt: cursor } } : {}) },
      orderBy: { id: 'desc' },
      take: limit + 1,
      select: { id: true, readOnly: true, expiresAt: true, createdAt: true },
    });
    return toPage(rows, limit);
  }

  /** 404 when the session is unknown, another tenant's, or already revoked. */
  async revoke(tenantId: string, sessionId: string): Promise<void> {
    const { count } = await this.prisma.portalSession.updateMany({
      where: { id: sessionId, tenantId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count === 0) throw ProblemException.notFound('Portal session');
  }
}
