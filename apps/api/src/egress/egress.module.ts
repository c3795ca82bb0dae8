import { Module } from '@nestjs/common';
import { EgressController } from './egress.controller';

@Module({ controllers: [EgressController] })
export class EgressModule {}
