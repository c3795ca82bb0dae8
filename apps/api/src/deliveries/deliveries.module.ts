import { Module } from '@nestjs/common';
import { DeliveriesDomainModule } from '@hookline/deliveries';
import { DeliveriesController } from './deliveries.controller';

@Module({ imports: [DeliveriesDomainModule], controllers: [DeliveriesController] })
export class DeliveriesModule {}
