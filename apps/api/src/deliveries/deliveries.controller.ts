import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PortalAccess } from '@hookline/auth';
import { DeliveriesService } from '@hookline/deliveries';
import { DeliveryWatchHub } from '../grpc/delivery-watch.hub';
import { ApiProblems } from '../common/api-problems';
import { streamDeliveryEvents } from './delivery-event-stream';
import { DeliveryListQueryDto, DeliveryStreamQueryDto } from './dto/delivery.dto';

@ApiTags('deliveries')
@PortalAccess()
@Controller('v1/tenants/:tenantId/deliveries')
export class DeliveriesController {
  constructor(
    private readonly deliveries: DeliveriesService,
    private readonly hub: DeliveryWatchHub,
  ) {}

  @Get()
  list(@Param('tenantId') tenantId: string, @Query() query: DeliveryListQueryDto) {
    return this.deliveries.list(tenantId, query);
  }

  /** Declared before `:deliveryId`, which would otherwise take the path. */
  @Get('stream')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An open `text/event-stream` of `delivery` events' })
  @ApiProblems(401, 403, 404, 422, 503)
  @ApiOperation({
    summary: 'Live delivery updates (server-sent events)',
    description:
      'A `delivery` event per recorded attempt, its data the delivery summary as JSON (`id, eventId, eventType, subscriptionId, status, attemptCount, nextAttemptAt, lastAttemptAt, lastStatusCode, lastError, lastDurationMs`); a comment line every 15 s. Authenticate with the Authorization header (read it with fetch, not EventSource).',
  })
  async stream(@Param('tenantId') tenantId: string, @Query() query: DeliveryStreamQueryDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await streamDeliveryEvents(this.hub, tenantId, query, request, reply);
  }

  /** The delivery with its attempts, oldest first. */
  @Get(':deliveryId')
  get(@Param('tenantId') tenantId: string, @Param('deliveryId') deliveryId: string) {
    return this.deliveries.get(tenantId, deliveryId);
  }

  /**
   * One more delivery cycle with a fresh attempt budget and the same `webhook-id`, starting now: a
   * retry that was waiting is replaced. `nextAttemptAt` in the answer tells when it is due.
   */
  @Post(':deliveryId/replay')
  @HttpCode(202)
  replay(@Param('tenantId') tenantId: string, @Param('deliveryId') deliveryId: string) {
    return this.deliveries.replay(tenantId, deliveryId);
  }
}
