import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@hookline/auth';
import { TenantsService } from '@hookline/tenants';
import { TenantCreateDto, TenantListQueryDto, TenantUpdateDto } from './dto/tenant.dto';

@ApiTags('tenants')
@AdminOnly()
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  create(@Body() body: TenantCreateDto) {
    return this.tenants.create(body);
  }

  @Get()
  list(@Query() query: TenantListQueryDto) {
    return this.tenants.list(query.limit, query.cursor, query.q);
  }

  @Get(':tenantId')
  get(@Param('tenantId') tenantId: string) {
    return this.tenants.get(tenantId);
  }

  @Patch(':tenantId')
  update(@Param('tenantId') tenantId: string, @Body() body: TenantUpdateDto) {
    return this.tenants.update(tenantId, body);
  }

  @Delete(':tenantId')
  @HttpCode(204)
  async remove(@Param('tenantId') tenantId: string) {
    await this.tenants.remove(tenantId);
  }
}
