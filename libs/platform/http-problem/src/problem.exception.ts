import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

/** RFC 9110's reason phrases; the filter sends the same words on the status line. */
const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  408: 'Request Timeout',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function problemType(slug: string): string {
  return `https://hookline.dev/problems/${slug}`;
}

export function problem(status: number, detail: string, errors?: FieldError[], slug?: string): ProblemDetails {
  const title = TITLES[status] ?? STATUS_CODES[status] ?? 'Error';
  return {
    type: problemType(slug ?? title.toLowerCase().replace(/\s+/g, '-')),
    title,
    status,
    detail,
    ...(errors?.length ? { errors } : {}),
  };
}

/** Throw from anywhere; the filter renders it as RFC 9457 problem+json. */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    detail: string,
    readonly errors?: FieldError[],
    readonly slug?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem(status, detail, errors, slug), status);
  }

  static notFound(what: string) {
    return new ProblemException(404, `${what} not found`);
  }

  /** One invalid field: 422 naming it. */
  static invalid(field: string, message: string, status = 422) {
    return new ProblemException(status, `${field}: ${message}`, [{ field, message }], 'validation-error');
  }
}
