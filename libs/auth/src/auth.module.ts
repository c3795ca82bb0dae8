import { Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysService } from './api-keys.service';
import { PortalSessionsService } from './portal-sessions.service';
import { PrincipalLookups } from './principal-lookups';

@Module({
  providers: [ApiKeysService, ApiKeyGuard, PrincipalLookups, PortalSessionsService],
  exports: [ApiKeysService, ApiKeyGuard, PrincipalLookups, PortalSessionsService],
})
export class AuthModule {}
