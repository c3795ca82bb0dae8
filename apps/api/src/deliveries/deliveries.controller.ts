import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PortalAccess } from '@hookline/auth';
import { DeliveriesService } from '@hookline/deliveries';
import { DeliveryListQueryDto } from './dto/delivery.dto';

@ApiTags('deliveries')
@PortalAccess()
@Controller('v1/tenants/:tenantId/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  list(@Param('tenantId') tenantId: string, @Query() query: DeliveryListQueryDto) {
    return this.deliveries.list(tenantId, query);
  }

  /** The delivery with its attempts, oldest first. */
  @Get(':deliveryId')
  get(@Param('tenantId') tenantId: string, @Param('deliveryId') deliveryId: string) {
    return this.deliveries.get(tenantId, deliveryId);
  }

  /** One more delivery cycle with a fresh attempt budget and the same `webhook-id`. */
  @Post(':deliveryId/replay')
  @HttpCode(202)
  replay(@Param('tenantId') tenantId: string, @Param('deliveryId') deliveryId: string) {
    return this.deliveries.replay(tenantId, deliveryId);
  }
}
