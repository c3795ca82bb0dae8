import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminOnly, PortalAccess } from '@hookline/auth';
import { EventTypesService } from '@hookline/event-types';
import { PageQueryDto } from '@hookline/pagination';
import { EventTypeCreateDto, EventTypeUpdateDto } from './dto/event-type.dto';

/** The catalogue is shared by all tenants: tenant keys may read it, only the admin changes it. */
@ApiTags('event-types')
@Controller('v1/event-types')
export class EventTypesController {
  constructor(private readonly eventTypes: EventTypesService) {}

  @Post()
  @AdminOnly()
  create(@Body() body: EventTypeCreateDto) {
    return this.eventTypes.create(body);
  }

  @Get()
  @PortalAccess()
  list(@Query() query: PageQueryDto) {
    return this.eventTypes.list(query.limit, query.cursor);
  }

  @Get(':name')
  @PortalAccess()
  get(@Param('name') name: string) {
    return this.eventTypes.get(name);
  }

  @Patch(':name')
  @AdminOnly()
  update(@Param('name') name: string, @Body() body: EventTypeUpdateDto) {
    return this.eventTypes.update(name, body);
  }

  @Delete(':name')
  @AdminOnly()
  @HttpCode(204)
  async remove(@Param('name') name: string) {
    await this.eventTypes.remove(name);
  }
}
