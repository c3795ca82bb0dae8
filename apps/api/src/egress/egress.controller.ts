import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { EgressIpsDto } from './dto/egress-ips.dto';

/** Any valid key (admin or tenant): receivers need the list to allowlist Hookline. */
@ApiTags('egress')
@Controller('v1/egress-ips')
export class EgressController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @ApiOperation({ summary: 'The addresses deliveries come from, for receivers that allowlist them' })
  @ApiOkResponse({ type: EgressIpsDto })
  list(): EgressIpsDto {
    return { data: this.config.EGRESS_IPS };
  }
}
