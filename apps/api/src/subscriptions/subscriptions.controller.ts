import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PortalAccess } from '@hookline/auth';
import { SubscriptionSecretsService, SubscriptionsService } from '@hookline/subscriptions';
import { RotateSecretDto, SubscriptionCreateDto, SubscriptionListQueryDto, SubscriptionUpdateDto } from './dto/subscription.dto';

/** Tenant scoping is the global ApiKeyGuard's: `:tenantId` is always the caller's own tenant here. */
@ApiTags('subscriptions')
@PortalAccess()
@Controller('v1/tenants/:tenantId/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly secrets: SubscriptionSecretsService,
  ) {}

  @Post()
  @Header('Cache-Control', 'no-store')
  create(@Param('tenantId') tenantId: string, @Body() body: SubscriptionCreateDto) {
    return this.subscriptions.create(tenantId, body);
  }

  @Get()
  list(@Param('tenantId') tenantId: string, @Query() query: SubscriptionListQueryDto) {
    return this.subscriptions.list(tenantId, query);
  }

  @Get(':subscriptionId')
  get(@Param('tenantId') tenantId: string, @Param('subscriptionId') id: string) {
    return this.subscriptions.get(tenantId, id);
  }

  @Patch(':subscriptionId')
  update(@Param('tenantId') tenantId: string, @Param('subscriptionId') id: string, @Body() body: SubscriptionUpdateDto) {
    return this.subscriptions.update(tenantId, id, body);
  }

  @Delete(':subscriptionId')
  @HttpCode(204)
  async remove(@Param('tenantId') tenantId: string, @Param('subscriptionId') id: string) {
    await this.subscriptions.remove(tenantId, id);
  }

  @Get(':subscriptionId/secret')
  @Header('Cache-Control', 'no-store')
  secret(@Param('tenantId') tenantId: string, @Param('subscriptionId') id: string) {
    return this.secrets.reveal(tenantId, id);
  }

  @Post(':subscriptionId/rotate-secret')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  rotateSecret(@Param('tenantId') tenantId: string, @Param('subscriptionId') id: string, @Body() body: RotateSecretDto) {
    return this.secrets.rotate(tenantId, id, body);
  }

  @Post(':subscriptionId/enable')
  @HttpCode(200)
  enable(@Param('tenantId') tenantId: string, @Param('subscriptionId') id: string) {
    return this.subscriptions.enable(tenantId, id);
  }

  @Post(':subscriptionId/disable')
  @HttpCode(200)
  disable(@Param('tenantId') tenantId: string, @Param('subscriptionId') id: string) {
    return this.subscriptions.disable(tenantId, id);
  }
}
