import { Module } from '@nestjs/common';
import { DeliveriesDomainModule } from '@hookline/deliveries';
import { DeadLettersService } from './dead-letters.service';

/** Needs the global Database, Config and Queue modules, which the api, the worker and the CLI import. */
@Module({
  imports: [DeliveriesDomainModule],
  providers: [DeadLettersService],
  exports: [DeadLettersService],
})
export class DeadLettersModule {}
