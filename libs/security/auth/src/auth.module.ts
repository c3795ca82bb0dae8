import { Module } from '@nestjs/common';
import { ApiKeyCache } from './api-key-cache';
import { ApiKeyChanges } from './api-key-changes';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysService } from './api-keys.service';
import { PortalSessionsService } from './portal-sessions.service';
import { PrincipalLookups } from './principal-lookups';

@Module({
  providers: [ApiKeysService, ApiKeyGuard, PrincipalLookups, PortalSessionsService, ApiKeyCache, ApiKeyChanges],
  exports: [ApiKeysService, ApiKeyGuard, PrincipalLookups, PortalSessionsService, ApiKeyCache, ApiKeyChanges],
})
export class AuthModule {}
