import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PortalAccess } from '@hookline/auth';
import { ReplaysService } from '@hookline/replays';
import { ApiProblems } from '../common/api-problems';
import { ReplayListQueryDto } from './dto/operators.dto';

/** A tenant's own replays (recoveries, and operator replays limited to it), so it can follow their progress. */
@ApiTags('subscriptions')
@PortalAccess()
@ApiProblems(401, 403, 404, 422)
@Controller('v1/tenants/:tenantId/replays')
export class TenantReplaysController {
  constructor(private readonly replays: ReplaysService) {}

  @Get()
  @ApiOperation({ summary: "The tenant's replays and recoveries, newest first" })
  list(@Param('tenantId') tenantId: string, @Query() query: ReplayListQueryDto) {
    return this.replays.list(query.limit, query.cursor, tenantId);
  }

  @Get(':replayId')
  @ApiOperation({ summary: 'Progress of a replay or recovery: `matched`, `queued`, `completed`, `status`' })
  get(@Param('tenantId') tenantId: string, @Param('replayId') replayId: string) {
    return this.replays.get(replayId, tenantId);
  }
}
