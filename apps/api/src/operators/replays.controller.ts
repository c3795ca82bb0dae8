import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@hookline/auth';
import { ReplaysService } from '@hookline/replays';
import { ReplayCreateDto, ReplayListQueryDto } from './dto/operators.dto';

@ApiTags('operators')
@AdminOnly()
@Controller('v1/replays')
export class ReplaysController {
  constructor(private readonly replays: ReplaysService) {}

  /** Starts a bulk replay in the background; never re-sends a delivery that succeeded. */
  @Post()
  @HttpCode(202)
  create(@Body() body: ReplayCreateDto) {
    return this.replays.create(body);
  }

  @Get()
  list(@Query() query: ReplayListQueryDto) {
    return this.replays.list(query.limit, query.cursor);
  }

  /** Progress: `matched`, `queued`, `completed`. */
  @Get(':replayId')
  get(@Param('replayId') replayId: string) {
    return this.replays.get(replayId);
  }
}
