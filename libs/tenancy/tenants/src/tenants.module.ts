import { Module } from '@nestjs/common';
import { AuthModule } from '@hookline/auth';
import { TenantsService } from './tenants.service';

@Module({ imports: [AuthModule], providers: [TenantsService], exports: [TenantsService] })
export class TenantsDomainModule {}
