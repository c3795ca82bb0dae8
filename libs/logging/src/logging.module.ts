import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { levels, stdSerializers } from 'pino';
import { AppConfig } from '@hookline/config';

const REDACT = {
  paths: ['req.headers.authorization', 'req.headers.cookie', '*.secret', '*.key', 'secret', 'key'],
  censor: '[redacted]',
};

function requestId(request: IncomingMessage, response: ServerResponse): string {
  const id = (request.headers['x-request-id'] as string | undefined) ?? randomUUID();
  response.setHeader('x-request-id', id);
  return id;
}

/** The request being served, for the lines logged while serving it. */
const currentRequest = new AsyncLocalStorage<IncomingMessage & { id?: string }>();

/**
 * Above `info`, in place of pino-http (whose request lines are written at `info`, so never here,
 * but which still builds a child logger with the serialized request for every request): the
 * request id, and the request kept at hand; it is serialized only when a line is written.
 */
@Module({})
class RequestContextModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer
      .apply((request: IncomingMessage & { id?: string }, response: ServerResponse, next: () => void) => {
        request.id = requestId(request, response);
        currentRequest.run(request, next);
      })
      .forRoutes('{*path}');
  }
}

/** One JSON line per event (pretty in a development terminal), with a request id and no secrets. */
export function loggingModule(config: AppConfig): DynamicModule {
  const pretty = config.NODE_ENV === 'development' && process.stdout.isTTY;
  const options = {
    level: config.LOG_LEVEL,
    redact: REDACT,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
  };
  if (levels.values[config.LOG_LEVEL] <= levels.values.info) {
    return LoggerModule.forRoot({
      pinoHttp: { ...options, genReqId: requestId, autoLogging: { ignore: (request) => request.url === '/healthz' || request.url === '/readyz' } },
    });
  }
  return {
    module: RequestContextModule,
    imports: [
      LoggerModule.forRoot({
        pinoHttp: {
          ...options,
          serializers: { req: stdSerializers.req },
          mixin: () => {
            const request = currentRequest.getStore();
            return request ? { req: request } : {};
          },
        },
        forRoutes: [],
      }),
    ],
  };
}
