import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@hookline/config';
import { DatabaseModule } from '@hookline/database';
import { DeadLettersModule } from '@hookline/dead-letters';
import { ReplaysModule } from '@hookline/replays';
import { StatsModule } from '@hookline/stats';
import { QueueModule } from '@hookline/queue';
import { SecretsReencryptionService } from '@hookline/subscriptions';

/** The operator services the API uses, without HTTP: the CLI calls them directly. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, QueueModule.forRoot(config), DeadLettersModule, ReplaysModule, StatsModule],
      providers: [SecretsReencryptionService],
    };
  }
}
