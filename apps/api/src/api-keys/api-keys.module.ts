import { Module } from '@nestjs/common';
import { AuthModule } from '@hookline/auth';
import { ApiKeysController } from './api-keys.controller';

@Module({ imports: [AuthModule], controllers: [ApiKeysController] })
export class ApiKeysModule {}
