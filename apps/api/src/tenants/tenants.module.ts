import { Module } from '@nestjs/common';
import { TenantsDomainModule } from '@hookline/tenants';
import { TenantsController } from './tenants.controller';

@Module({ imports: [TenantsDomainModule], controllers: [TenantsController] })
export class TenantsModule {}
