import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PortalAccess } from '@hookline/auth';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { EgressIpsDto } from './dto/egress-ips.dto';

/** Any valid credential (admin, tenant key or portal token): receivers need the list to allowlist Hookline. */
@ApiTags('egress')
@Controller('v1/egress-ips')
export class EgressController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @PortalAccess()
  @ApiOperation({ summary: 'The addresses deliveries come from, for receivers that allowlist them' })
  @ApiOkResponse({ type: EgressIpsDto })
  list(): EgressIpsDto {
    return { data: this.config.EGRESS_IPS };
  }
}
