import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@hookline/auth';
import { StatsService } from '@hookline/stats';
import { StatsQueryDto } from './dto/operators.dto';

@ApiTags('operators')
@AdminOnly()
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  /** Deliveries by status, per-tenant backlog, oldest pending age, queue depths. */
  @Get()
  get(@Query() query: StatsQueryDto) {
    return this.stats.stats(query.tenantId);
  }
}
