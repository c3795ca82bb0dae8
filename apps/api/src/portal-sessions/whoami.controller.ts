import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, PortalAccess, Principal } from '@hookline/auth';
import { ApiProblems } from '../common/api-problems';

@ApiTags('auth')
@Controller('v1/auth/whoami')
export class WhoamiController {
  /** How the portal page learns its tenant from the token alone. */
  @Get()
  @PortalAccess()
  @ApiOkResponse({ description: 'The credential: `{ kind, tenantId, readOnly, expiresAt }`' })
  @ApiProblems(401)
  @ApiOperation({ summary: 'What the bearer credential is: `{ kind, tenantId, readOnly, expiresAt }`' })
  whoami(@CurrentPrincipal() principal: Principal) {
    switch (principal.kind) {
      case 'admin':
        return { kind: 'admin', tenantId: null, readOnly: false, expiresAt: null };
      case 'tenant':
        return { kind: 'tenant', tenantId: principal.tenantId, readOnly: false, expiresAt: null };
      case 'portal':
        return { kind: 'portal', tenantId: principal.tenantId, readOnly: principal.readOnly, expiresAt: principal.expiresAt };
    }
  }
}
