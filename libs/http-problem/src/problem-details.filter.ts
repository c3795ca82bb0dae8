import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ZodValidationException } from 'nestjs-zod';
import { problem, ProblemDetails, ProblemException } from './problem.exception';
import { zodFieldErrors } from './validation-messages';

/** Renders every error as `application/problem+json` (RFC 9457), with `errors` naming fields. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost) {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toProblem(exception);
    if (body.status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (exception instanceof ProblemException) {
      for (const [name, value] of Object.entries(exception.headers)) response.setHeader(name, value);
    }
    // Node would say "Unprocessable Entity" for 422 while the body says "Unprocessable Content": one wording for both.
    response.statusMessage = body.title;
    response.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof ZodValidationException) {
      const errors = zodFieldErrors((exception.getZodError() as { issues: Parameters<typeof zodFieldErrors>[0] }).issues);
      return problem(422, `Validation failed: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors, 'validation-error');
    }
    if (exception instanceof ProblemException) return exception.getResponse() as ProblemDetails;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      return problem(status, Array.isArray(message) ? message.join('; ') : String(message ?? exception.message));
    }
    return problem(500, 'Internal server error');
  }
}
