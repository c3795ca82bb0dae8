import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PortalAccess } from '@hookline/auth';
import { EventsService } from '@hookline/events';
import { ProblemException } from '@hookline/http-problem';
import { SubscriptionsService } from '@hookline/subscriptions';
import { SubscriptionTestDto } from './dto/event.dto';

@ApiTags('subscriptions')
@PortalAccess()
@Controller('v1/tenants/:tenantId/subscriptions/:subscriptionId/test')
export class SubscriptionTestController {
  constructor(
    private readonly events: EventsService,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  /** Publishes a `webhook.test` event (or `type`, with `data` if given) to this one subscription. */
  @Post()
  @HttpCode(202)
  async send(@Param('tenantId') tenantId: string, @Param('subscriptionId') subscriptionId: string, @Body() body: SubscriptionTestDto) {
    const subscription = await this.subscriptions.get(tenantId, subscriptionId);
    if (subscription.status !== 'active') throw inactive();
    const type = body.type ?? 'webhook.test';
    const data = body.data ?? { message: 'This is a test event from Hookline.', subscriptionId };
    const { event } = await this.events.publish(tenantId, { type, data }, subscriptionId);
    // Disabled between the check and the publish: rare, and the event then simply has no delivery.
    if (event.deliveryCount === 0) throw inactive();
    return event;
  }
}

function inactive() {
  return new ProblemException(409, 'The subscription is disabled; enable it before sending a test event', undefined, 'subscription-disabled');
}
