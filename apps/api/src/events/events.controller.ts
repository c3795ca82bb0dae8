import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PortalAccess } from '@hookline/auth';
import { DeliveriesService } from '@hookline/deliveries';
import { EventsService } from '@hookline/events';
import { ProblemException } from '@hookline/http-problem';
import { unsafeStringReason } from '@hookline/input-safety';
import { publishTraceCarrier } from '@hookline/tracing';
import { EventListQueryDto, EventPublishDto, idempotencyKey } from './dto/event.dto';

@ApiTags('events')
@Controller('v1/tenants/:tenantId/events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly deliveries: DeliveriesService,
  ) {}

  /** 202 for a new event; 200 with `Idempotent-Replayed: true` when the key was already used for the same request. */
  @Post()
  @HttpCode(202)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async publish(
    @Param('tenantId') tenantId: string,
    @Body() body: EventPublishDto,
    @Headers('idempotency-key') headerKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const key = resolveIdempotencyKey(body.idempotencyKey, headerKey);
    // Under the request's span when tracing is on (the http instrumentation continued the caller's traceparent).
    const trace = publishTraceCarrier(reply.request.headers);
    const { event, replayed } = await this.events.publish(tenantId, { type: body.type, data: body.data, idempotencyKey: key, trace });
    if (replayed) reply.status(200).header('Idempotent-Replayed', 'true');
    return event;
  }

  @Get()
  @PortalAccess()
  list(@Param('tenantId') tenantId: string, @Query() query: EventListQueryDto) {
    return this.events.list(tenantId, query);
  }

  @Get(':eventId')
  @PortalAccess()
  async get(@Param('tenantId') tenantId: string, @Param('eventId') eventId: string) {
    const event = await this.events.get(tenantId, eventId);
    return { ...event, deliveries: await this.deliveries.forEvent(tenantId, eventId) };
  }
}

function resolveIdempotencyKey(bodyKey: string | undefined, headerKey: string | undefined): string | undefined {
  if (headerKey === undefined) return bodyKey;
  const unsafe = unsafeStringReason(headerKey);
  if (unsafe) throw ProblemException.invalid('Idempotency-Key', unsafe);
  const parsed = idempotencyKey.safeParse(headerKey);
  if (!parsed.success) throw ProblemException.invalid('Idempotency-Key', parsed.error.issues[0].message);
  if (bodyKey !== undefined && bodyKey !== headerKey) {
    throw ProblemException.invalid('idempotencyKey', 'differs from the Idempotency-Key header');
  }
  return headerKey;
}
