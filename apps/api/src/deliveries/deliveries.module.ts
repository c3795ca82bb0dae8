import { Module } from '@nestjs/common';
import { DeliveriesDomainModule } from '@hookline/deliveries';
import { DeliveryUpdatesModule } from '../delivery-updates/delivery-updates.module';
import { DeliveriesController } from './deliveries.controller';

@Module({ imports: [DeliveriesDomainModule, DeliveryUpdatesModule], controllers: [DeliveriesController] })
export class DeliveriesModule {}
