import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PortalAccess } from '@hookline/auth';
import { ReplaysService } from '@hookline/replays';
import { RecoverDto } from './dto/operators.dto';

/** Admin or the tenant's own key: tenant scoping is the global ApiKeyGuard's. */
@ApiTags('subscriptions')
@PortalAccess()
@Controller('v1/tenants/:tenantId/subscriptions/:subscriptionId/recover')
export class SubscriptionRecoveryController {
  constructor(private readonly replays: ReplaysService) {}

  /**
   * Re-queues the subscription's failed, dead and cancelled deliveries of the window and creates
   * deliveries for the window's matching events it never got (published while it was disabled).
   */
  @Post()
  @HttpCode(202)
  recover(@Param('tenantId') tenantId: string, @Param('subscriptionId') subscriptionId: string, @Body() body: RecoverDto) {
    return this.replays.recover(tenantId, subscriptionId, body);
  }
}
