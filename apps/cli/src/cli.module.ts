import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@hookline/config';
import { DatabaseModule } from '@hookline/database';
import { OperatorsDomainModule } from '@hookline/operators';
import { QueueModule } from '@hookline/queue';
import { SecretsReencryptionService } from '@hookline/subscriptions';

/** The operator services the API uses, without HTTP: the CLI calls them directly. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, QueueModule.forRoot(config), OperatorsDomainModule],
      providers: [SecretsReencryptionService],
    };
  }
}
