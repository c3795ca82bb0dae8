import { Module } from '@nestjs/common';
import { ChangeAnnouncer } from '@hookline/queue';
import { ApiKeyCache } from './api-key-cache';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysService } from './api-keys.service';
import { PortalSessionsService } from './portal-sessions.service';
import { PrincipalLookups } from './principal-lookups';

@Module({
  providers: [ApiKeysService, ApiKeyGuard, PrincipalLookups, PortalSessionsService, ApiKeyCache, ChangeAnnouncer],
  exports: [ApiKeysService, ApiKeyGuard, PrincipalLookups, PortalSessionsService, ApiKeyCache, ChangeAnnouncer],
})
export class AuthModule {}
