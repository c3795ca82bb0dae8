import { randomUUID } from 'node:crypto';
import { AppConfig } from '@hookline/config';
import { LoggerModule } from 'nestjs-pino';

/** One JSON line per event (pretty in a development terminal), with a request id and no secrets. */
export function loggingModule(config: AppConfig) {
  const pretty = config.NODE_ENV === 'development' && process.stdout.isTTY;
  return LoggerModule.forRoot({
    pinoHttp: {
      level: config.LOG_LEVEL,
      genReqId: (request, response) => {
        const id = (request.headers['x-request-id'] as string | undefined) ?? randomUUID();
        response.setHeader('x-request-id', id);
        return id;
      },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.secret', '*.key', 'secret', 'key'],
        censor: '[redacted]',
      },
      autoLogging: { ignore: (request) => request.url === '/healthz' || request.url === '/readyz' },
      ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
    },
  });
}
