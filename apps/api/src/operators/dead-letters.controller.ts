import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@hookline/auth';
import { DeadLettersService } from '@hookline/dead-letters';
import { DeadLetterListQueryDto } from './dto/operators.dto';

@ApiTags('operators')
@AdminOnly()
@Controller('v1/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  /** Dead deliveries of every tenant, newest first. */
  @Get()
  list(@Query() query: DeadLetterListQueryDto) {
    return this.deadLetters.list(query);
  }
}
