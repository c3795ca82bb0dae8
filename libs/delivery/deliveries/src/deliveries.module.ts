import { Module } from '@nestjs/common';
import { DeliveriesService } from './deliveries.service';
import { DeliveryJobsRepository } from './delivery-jobs.repository';
import { StatusCountsRepository } from './status-counts.repository';

@Module({ providers: [DeliveriesService, DeliveryJobsRepository, StatusCountsRepository], exports: [DeliveriesService, DeliveryJobsRepository, StatusCountsRepository] })
export class DeliveriesDomainModule {}
