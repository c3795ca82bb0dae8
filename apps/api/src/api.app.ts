import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '@hookline/config';
import { newRequestId } from '@hookline/logging';
import { recordHttpRoute, TracingShutdown } from '@hookline/tracing';
import { acceptRequestBodies, answerRouterErrors, answerUnreadableRequest, readablePathsOnly } from '@hookline/http-problem';
import { ApiModule } from './api.module';
import { GrpcModule } from './grpc/grpc.module';
import { serveOpenApi } from './openapi';
import { mountQueueDashboard } from './queue-dashboard/queue-dashboard';
import { mountWebUi } from './web-ui/web-ui';

/** Node's own limit on receiving a whole request, which Fastify would turn off: a slow sender is cut off after it. */
const REQUEST_TIMEOUT_MS = 300_000;
/** A path parameter's length up to which the router matches it (Fastify's default, 100, would answer 414 for a long id). */
const MAX_PARAM_LENGTH = 8_192;

/** The REST API plus, on GRPC_PORT, the gRPC server (docs/contract.md#grpc), which starts on `listen` and stops on `close`. */
@Module({ providers: [TracingShutdown] })
class ApiAppModule {}

/** The API as `main.ts` runs it, on Fastify; tests boot the same thing on port 0. */
export async function createApiApp(config: AppConfig): Promise<NestFastifyApplication> {
  const root = { module: ApiAppModule, imports: [ApiModule.forRoot(config), GrpcModule] };
  const adapter = new FastifyAdapter({
    bodyLimit: config.MAX_PAYLOAD_BYTES,
    trustProxy: false,
    requestTimeout: REQUEST_TIMEOUT_MS,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    clientErrorHandler: answerUnreadableRequest,
    frameworkErrors: answerRouterErrors,
    // The request id the logs carry (pino-http takes Fastify's, which the raw request holds as `id`).
    genReqId: newRequestId,
  });
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    recordHttpRoute(request.raw, request.routeOptions.url);
    done();
  });
  readablePathsOnly(fastify);
  acceptRequestBodies(fastify, config.MAX_PAYLOAD_BYTES);
  // Exit 0 once shut down cleanly (Nest would re-raise the signal): Docker and Kubernetes see a clean stop.
  app.enableShutdownHooks([], { useProcessExit: true });
  serveOpenApi(app);
  mountQueueDashboard(app);
  mountWebUi(fastify, config);
  return app;
}
