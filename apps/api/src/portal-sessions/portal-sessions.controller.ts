import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PortalSessionsService } from '@hookline/auth';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { PageQueryDto } from '@hookline/pagination';
import { PortalSessionCreateDto } from './dto/portal-session.dto';
import { ApiProblems } from '../common/api-problems';
import { portalLink } from './portal-link';

/** Customer portal links, minted by the admin or the tenant's own key (never by a portal token). */
@ApiTags('portal-sessions')
@ApiProblems(401, 403, 404, 422)
@Controller('v1/tenants/:tenantId/portal-sessions')
export class PortalSessionsController {
  constructor(
    private readonly sessions: PortalSessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Mint a customer portal link',
    description: 'Returns `{ id, token, url, expiresAt, readOnly }`. The `hkp_` token is shown this once and stored only as a hash; `url` carries it in its fragment (`#token=`).',
  })
  async create(@Param('tenantId') tenantId: string, @Body() body: PortalSessionCreateDto, @Req() request: FastifyRequest) {
    const session = await this.sessions.create(tenantId, body);
    return { id: session.id, token: session.token, url: portalLink(this.config.PUBLIC_URL, request, session.token), expiresAt: session.expiresAt, readOnly: session.readOnly };
  }

  @Get()
  @ApiOperation({ summary: 'Portal sessions still usable, newest first (no tokens)' })
  list(@Param('tenantId') tenantId: string, @Query() query: PageQueryDto) {
    return this.sessions.list(tenantId, query.limit, query.cursor);
  }

  @Delete(':sessionId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a portal link at once' })
  async revoke(@Param('tenantId') tenantId: string, @Param('sessionId') sessionId: string) {
    await this.sessions.revoke(tenantId, sessionId);
  }
}
