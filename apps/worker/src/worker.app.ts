import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@hookline/config';
import { WorkerModule } from './worker.module';

/** The worker opens no HTTP port: an application context only. */
export async function createWorkerApp(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // Exit 0 once shut down cleanly (Nest would re-raise the signal): Docker and Kubernetes see a clean stop.
  app.enableShutdownHooks([], { useProcessExit: true });
  return app;
}
