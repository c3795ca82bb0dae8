import { Module } from '@nestjs/common';
import { DeliveriesService } from './deliveries.service';
import { DeliveryJobsRepository } from './delivery-jobs.repository';

@Module({ providers: [DeliveriesService, DeliveryJobsRepository], exports: [DeliveriesService, DeliveryJobsRepository] })
export class DeliveriesDomainModule {}
