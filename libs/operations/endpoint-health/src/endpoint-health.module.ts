import { Module } from '@nestjs/common';
import { CircuitBreakersService } from './circuit-breakers.service';

/** Needs the global Database, Config and Queue modules, which the api, the worker and the CLI import. */
@Module({
  providers: [CircuitBreakersService],
  exports: [CircuitBreakersService],
})
export class EndpointHealthModule {}
