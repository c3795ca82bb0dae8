import { Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysService } from './api-keys.service';
import { PrincipalLookups } from './principal-lookups';

@Module({ providers: [ApiKeysService, ApiKeyGuard, PrincipalLookups], exports: [ApiKeysService, ApiKeyGuard, PrincipalLookups] })
export class AuthModule {}
