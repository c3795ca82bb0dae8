import { Module } from '@nestjs/common';
import { DeadLettersService } from './dead-letters.service';

/** Needs the global Database module, which the api and the CLI import. */
@Module({
  providers: [DeadLettersService],
  exports: [DeadLettersService],
})
export class DeadLettersModule {}
