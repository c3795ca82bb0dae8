import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@hookline/auth';
import { CircuitBreakersService } from '@hookline/endpoint-health';
import { SubscriptionsService } from '@hookline/subscriptions';
import { ApiProblems } from '../common/api-problems';
import { SubscriptionOverviewQueryDto } from './dto/operators.dto';

/** What the operator console shows across tenants: subscriptions by state, and the breakers holding some back. */
@ApiTags('operators')
@AdminOnly()
@ApiProblems(401, 403, 422)
@Controller('v1')
export class SubscriptionsOverviewController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly breakers: CircuitBreakersService,
  ) {}

  @Get('subscriptions')
  @ApiOperation({ summary: "Every tenant's subscriptions, newest first (e.g. `?status=disabled` with their `disabledReason`)" })
  list(@Query() query: SubscriptionOverviewQueryDto) {
    return this.subscriptions.listAll(query);
  }

  @Get('circuit-breakers')
  @ApiOperation({
    summary: 'Circuit breakers open now: `{ data: [{ subscriptionId, tenantId, url, openUntil }], total }` (at most 500 listed)',
  })
  openBreakers() {
    return this.breakers.listOpen();
  }
}
