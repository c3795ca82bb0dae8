import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '@hookline/config';
import { TracingShutdown } from '@hookline/tracing';
import { answerUnreadableRequests, jsonBodyParser, readablePathsOnly } from '@hookline/http-problem';
import { ApiModule } from './api.module';
import { GrpcModule } from './grpc/grpc.module';
import { serveOpenApi } from './openapi';
import { mountQueueDashboard } from './queue-dashboard/queue-dashboard';
import { mountWebUi } from './web-ui/web-ui';

/** The REST API plus, on GRPC_PORT, the gRPC server (docs/contract.md#grpc), which starts on `listen` and stops on `close`. */
@Module({ providers: [TracingShutdown] })
class ApiAppModule {}

/** The API as `main.ts` runs it; tests boot the same thing on port 0. */
export async function createApiApp(config: AppConfig): Promise<NestExpressApplication> {
  const root = { module: ApiAppModule, imports: [ApiModule.forRoot(config), GrpcModule] };
  const app = await NestFactory.create<NestExpressApplication>(root, {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  answerUnreadableRequests(app.getHttpServer());
  app.use(readablePathsOnly);
  app.use(jsonBodyParser(config.MAX_PAYLOAD_BYTES));
  app.set('trust proxy', false);
  app.set('x-powered-by', false);
  // Exit 0 once shut down cleanly (Nest would re-raise the signal): Docker and Kubernetes see a clean stop.
  app.enableShutdownHooks([], { useProcessExit: true });
  serveOpenApi(app);
  mountQueueDashboard(app);
  mountWebUi(app, config);
  return app;
}
