import { Module } from '@nestjs/common';
import { RedisService } from '@hookline/queue';
import { SubscriptionsDomainModule } from '@hookline/subscriptions';
import { AutoDisable } from './auto-disable';
import { CircuitBreaker } from './circuit-breaker';
import { Clock } from './clock';
import { DeferralRecorder } from './deferral-recorder';
import { DeliveryMetrics } from './delivery-metrics';
import { DisabledSubscriptionsRepository } from './disabled-subscriptions.repository';
import { EndpointGate } from './endpoint-gate';
import { EndpointHealthScripts } from './endpoint-health.scripts';
import { HealthReports } from './health-reports';
import { InFlightLimit } from './in-flight-limit';
import { OpenBreakersView } from './open-breakers.view';
import { OperatorEvents, OperatorEventsProcessor } from './operator-events';

/** Circuit breaker, rate limits, in-flight caps, auto-disable, metrics and operator events (docs/contract.md#delivery-semantics). */
@Module({
  imports: [SubscriptionsDomainModule],
  providers: [
    AutoDisable,
    CircuitBreaker,
    Clock,
    DeferralRecorder,
    DeliveryMetrics,
    DisabledSubscriptionsRepository,
    EndpointGate,
    { provide: EndpointHealthScripts, useFactory: (redis: RedisService) => new EndpointHealthScripts(redis), inject: [RedisService] },
    HealthReports,
    InFlightLimit,
    OpenBreakersView,
    OperatorEvents,
    OperatorEventsProcessor,
  ],
  exports: [Clock, DeliveryMetrics, EndpointGate, OperatorEvents],
})
export class EndpointHealthModule {}
