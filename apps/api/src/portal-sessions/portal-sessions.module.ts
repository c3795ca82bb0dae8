import { Module } from '@nestjs/common';
import { AuthModule } from '@hookline/auth';
import { PortalSessionsController } from './portal-sessions.controller';
import { WhoamiController } from './whoami.controller';

@Module({ imports: [AuthModule], controllers: [PortalSessionsController, WhoamiController] })
export class PortalSessionsModule {}
