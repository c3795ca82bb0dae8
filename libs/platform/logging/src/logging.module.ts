import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { levels, stdSerializers } from 'pino';
import { AppConfig } from '@hookline/config';
import { activeTraceFields } from '@hookline/tracing';

const REDACT = {
  paths: ['req.headers.authorization', 'req.headers.cookie', '*.secret', '*.key', 'secret', 'key'],
  censor: '[redacted]',
};

/** The caller's `x-request-id`, or a new UUID: the HTTP server's request id generator (Fastify's `genReqId`). */
export function newRequestId(request: IncomingMessage): string {
  return (request.headers['x-request-id'] as string | undefined) ?? randomUUID();
}

/** The id the server gave the request (on Fastify, set on the raw request before any middleware), echoed as `x-request-id`. */
function requestId(request: IncomingMessage & { id?: unknown }, response: ServerResponse): string {
  const id = typeof request.id === 'string' ? request.id : newRequestId(request);
  response.setHeader('x-request-id', id);
  return id;
}

/** The request being served, for the lines logged while serving it. */
const currentRequest = new AsyncLocalStorage<IncomingMessage & { id?: string }>();

/**
 * Above `info`, in place of pino-http (whose request lines are written at `info` at most, so never here,
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

/** pino-pretty is a development dependency: an install without it (the image) logs JSON. */
function prettyPrinterInstalled(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * The access log's level: a request answered well is routine (debug, or every publish would be a
 * line at info); a refused one is worth a look (info), a failed one is an error.
 */
export function accessLogLevel(_request: IncomingMessage, response: ServerResponse, error?: Error): 'debug' | 'info' | 'error' {
  if (error || response.statusCode >= 500) return 'error';
  return response.statusCode >= 400 ? 'info' : 'debug';
}

/**
 * One JSON line per event, with a request id, the active trace and span ids, and no secrets.
 * Human-readable (pino-pretty) outside production when stdout is a terminal.
 */
export function loggingModule(config: AppConfig): DynamicModule {
  // Not when silent (apps booted by tests): the transport would start a thread with nothing to print.
  const pretty = config.NODE_ENV !== 'production' && config.LOG_LEVEL !== 'silent' && process.stdout.isTTY === true && prettyPrinterInstalled();
  const options = {
    level: config.LOG_LEVEL,
    redact: REDACT,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
  if (levels.values[config.LOG_LEVEL] <= levels.values.info) {
    return LoggerModule.forRoot({
      pinoHttp: {
        ...options,
        mixin: activeTraceFields,
        genReqId: requestId,
        customLogLevel: accessLogLevel,
        autoLogging: { ignore: (request) => request.url === '/healthz' || request.url === '/readyz' },
      },
      // Every path in Nest 11's syntax: nestjs-pino's default (`*`) matches nothing under Fastify.
      forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
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
            return request ? { ...activeTraceFields(), req: request } : activeTraceFields();
          },
        },
        forRoutes: [],
      }),
    ],
  };
}
