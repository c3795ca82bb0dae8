import { Module } from '@nestjs/common';
import { DeliveryWatchHub } from '../grpc/delivery-watch.hub';

/** One hub (one Redis subscriber connection) per process, shared by gRPC WatchDeliveries and the REST stream. */
@Module({ providers: [DeliveryWatchHub], exports: [DeliveryWatchHub] })
export class DeliveryUpdatesModule {}
