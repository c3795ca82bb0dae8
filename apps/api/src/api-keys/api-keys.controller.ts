import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminOnly, ApiKeysService } from '@hookline/auth';
import { ApiKeyCreateDto, ApiKeyListQueryDto } from './dto/api-key.dto';

@ApiTags('api-keys')
@AdminOnly()
@Controller('v1/tenants/:tenantId/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @Header('Cache-Control', 'no-store')
  create(@Param('tenantId') tenantId: string, @Body() body: ApiKeyCreateDto) {
    return this.apiKeys.create(tenantId, body.name);
  }

  @Get()
  list(@Param('tenantId') tenantId: string, @Query() query: ApiKeyListQueryDto) {
    return this.apiKeys.list(tenantId, query.limit, query.cursor);
  }

  @Delete(':keyId')
  @HttpCode(204)
  async revoke(@Param('tenantId') tenantId: string, @Param('keyId') keyId: string) {
    await this.apiKeys.revoke(tenantId, keyId);
  }
}
