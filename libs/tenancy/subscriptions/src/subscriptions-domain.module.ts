import { Module } from '@nestjs/common';
import { EndpointPolicy } from './endpoint-policy.service';
import { SubscriptionChanges } from './subscription-changes.service';
import { SubscriptionSecretsService } from './subscription-secrets.service';
import { SubscriptionsService } from './subscriptions.service';

/** Needs the global Database, Config and Redis modules, which both apps import. */
@Module({
  providers: [SubscriptionsService, SubscriptionSecretsService, EndpointPolicy, SubscriptionChanges],
  exports: [SubscriptionsService, SubscriptionSecretsService, EndpointPolicy, SubscriptionChanges],
})
export class SubscriptionsDomainModule {}
