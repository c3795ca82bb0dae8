import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, PortalAccess } from '@hookline/auth';
import { DeliveryStatsService, MAX_SERIES_BUCKETS, planSeries, SeriesBucket } from '@hookline/delivery-stats';
import { ProblemException } from '@hookline/http-problem';
import { ApiProblems } from '../common/api-problems';
import { AdminStatsSeriesQueryDto, StatsSeriesQueryDto } from './dto/stats-series.dto';

const DAY_MS = 86_400_000;
const SERIES_DESCRIPTION =
  'Attempt outcomes over time from the per-minute rollup the worker keeps: `{ bucket, buckets: [{ start, succeeded, failed, dead, p50Ms, p95Ms }] }`. ' +
  '`succeeded` and `failed` count attempts, `dead` the deliveries that ran out of attempts; p50/p95 attempt durations are read from a histogram ' +
  '(exact to within its bucket) and null when a bucket has no attempt. Every bucket of the range is listed, empty ones with zeros.';

/** Checks the range and lays out its buckets: 422 naming the field when it is empty or too fine. */
function plan(query: { since?: Date; until?: Date; bucket?: string }) {
  const until = query.until ?? new Date();
  const since = query.since ?? new Date(until.getTime() - DAY_MS);
  if (since.getTime() >= until.getTime()) throw ProblemException.invalid(query.since ? 'since' : 'until', 'must be before until');
  const series = planSeries(since, until, query.bucket as SeriesBucket | undefined);
  if (series.count > MAX_SERIES_BUCKETS) {
    throw ProblemException.invalid('bucket', `gives ${series.count} buckets over this range, more than ${MAX_SERIES_BUCKETS}; choose a wider bucket or a shorter range`);
  }
  return series;
}

@ApiTags('stats')
@Controller('v1/tenants/:tenantId/stats/series')
export class TenantStatsSeriesController {
  constructor(private readonly stats: DeliveryStatsService) {}

  @Get()
  @PortalAccess()
  @ApiOkResponse({ description: 'The series' })
  @ApiProblems(401, 403, 404, 422)
  @ApiOperation({ summary: "The tenant's delivery outcomes over time", description: SERIES_DESCRIPTION })
  series(@Param('tenantId') tenantId: string, @Query() query: StatsSeriesQueryDto) {
    return this.stats.series({ tenantId, subscriptionId: query.subscriptionId }, plan(query));
  }
}

@ApiTags('operators')
@AdminOnly()
@ApiProblems(401, 403, 422)
@Controller('v1/stats/series')
export class AdminStatsSeriesController {
  constructor(private readonly stats: DeliveryStatsService) {}

  @Get()
  @ApiOperation({ summary: 'Delivery outcomes over time across all tenants (or one, with tenantId)', description: SERIES_DESCRIPTION })
  series(@Query() query: AdminStatsSeriesQueryDto) {
    return this.stats.series({ tenantId: query.tenantId, subscriptionId: query.subscriptionId }, plan(query));
  }
}
