import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { ZodValidationException } from 'nestjs-zod';
import { payloadTooLarge } from './json-body.middleware';
import { problem, ProblemDetails, ProblemException } from './problem.exception';
import { zodFieldErrors } from './validation-messages';

/** Renders every error as `application/problem+json` (RFC 9457), with `errors` naming fields. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp();
    const body = this.toProblem(exception, http.getRequest<FastifyRequest | undefined>());
    if (body.status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    const headers = exception instanceof ProblemException ? exception.headers : {};
    sendProblem(http.getResponse<FastifyReply | ServerResponse>(), body, headers);
  }

  private toProblem(exception: unknown, request: FastifyRequest | undefined): ProblemDetails {
    if (exception instanceof ZodValidationException) {
      const errors = zodFieldErrors((exception.getZodError() as { issues: Parameters<typeof zodFieldErrors>[0] }).issues);
      return problem(422, `Validation failed: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors, 'validation-error');
    }
    if (exception instanceof ProblemException) return exception.getResponse() as ProblemDetails;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Fastify's own refusal of a body over the limit, which Nest hands on as a bare HttpException.
      if (status === 413) return payloadTooLarge(request?.routeOptions?.bodyLimit ?? 0).getResponse() as ProblemDetails;
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      return problem(status, Array.isArray(message) ? message.join('; ') : String(message ?? exception.message));
    }
    return problem(500, 'Internal server error');
  }
}

/** To a Fastify reply, or to the raw response a Nest middleware failed on. */
function sendProblem(response: FastifyReply | ServerResponse, body: ProblemDetails, headers: Record<string, string>): void {
  const json = JSON.stringify(body);
  const raw = 'raw' in response ? response.raw : response;
  // Node would say "Unprocessable Entity" for 422 while the body says "Unprocessable Content": one wording for both.
  raw.statusMessage = body.title;
  if ('raw' in response) {
    void response.code(body.status).headers(headers).type('application/problem+json').send(json);
    return;
  }
  if (response.headersSent) return void response.end();
  response.writeHead(body.status, body.title, { ...headers, 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(json) }).end(json);
}
