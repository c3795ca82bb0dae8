import { Module } from '@nestjs/common';
import { SubscriptionsDomainModule } from '@hookline/subscriptions';
import { Clock } from './clock';
import { DeferralRecorder } from './deferral-recorder';
import { DeliveryMetrics } from './delivery-metrics';
import { DisabledSubscriptionsRepository } from './disabled-subscriptions.repository';
import { EndpointGate } from './endpoint-gate';
import { OpenBreakersView } from './open-breakers.view';
import { OperatorEvents, OperatorEventsProcessor } from './operator-events';

/** Circuit breaker, rate limits, in-flight caps, auto-disable, metrics and operator events (docs/contract.md#delivery-semantics). */
@Module({
  imports: [SubscriptionsDomainModule],
  providers: [Clock, DeferralRecorder, DeliveryMetrics, DisabledSubscriptionsRepository, EndpointGate, OpenBreakersView, OperatorEvents, OperatorEventsProcessor],
  exports: [Clock, DeliveryMetrics, EndpointGate, OperatorEvents],
})
export class EndpointHealthModule {}
