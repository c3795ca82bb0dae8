import type { ServerErrorResponse } from '@grpc/grpc-js';
import { Metadata, status } from '@grpc/grpc-js';
import type { FieldError } from '@hookline/grpc-contract';
import { encodeBadRequestStatus, STATUS_DETAILS_TRAILER } from '@hookline/grpc-contract';
import { ProblemException } from '@hookline/http-problem';

/** A failure with its gRPC status code and, when fields are at fault, which ones (proto names). */
export class GrpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
  }

  static invalid(field: string, message: string): GrpcError {
    return new GrpcError(status.INVALID_ARGUMENT, `${field}: ${message}`, [{ field, message }]);
  }

  /** As a handler answers it: the status, and a google.rpc.BadRequest trailer naming the fields. */
  toServiceError(): ServerErrorResponse {
    const metadata = new Metadata();
    if (this.fieldErrors.length) {
      const violations = this.fieldErrors.map((e) => ({ field: e.field, description: e.message }));
      metadata.set(STATUS_DETAILS_TRAILER, encodeBadRequestStatus(this.code, this.message, violations));
    }
    return { name: 'GrpcError', message: this.message, code: this.code, details: this.message, metadata };
  }
}

/** The REST API's HTTP statuses (docs/contract.md#the-rest-api), as the gRPC codes that mean the same. */
const CODE_OF_HTTP_STATUS: Record<number, status> = {
  400: status.INVALID_ARGUMENT,
  401: status.UNAUTHENTICATED,
  403: status.PERMISSION_DENIED,
  404: status.NOT_FOUND,
  409: status.ALREADY_EXISTS,
  413: status.RESOURCE_EXHAUSTED,
  422: status.INVALID_ARGUMENT,
  429: status.RESOURCE_EXHAUSTED,
  503: status.UNAVAILABLE,
};

/**
 * Any error a handler meets, as a GrpcError: the shared services throw ProblemException with REST
 * field names, which are renamed to the proto's. Anything else is INTERNAL (the caller logs it),
 * with nothing of the original message given away.
 */
export function toGrpcError(error: unknown): GrpcError {
  if (error instanceof GrpcError) return error;
  if (error instanceof ProblemException) {
    const code = CODE_OF_HTTP_STATUS[error.getStatus()] ?? status.INTERNAL;
    const fieldErrors = (error.errors ?? []).map((e) => ({ field: protoFieldName(e.field), message: e.message }));
    const detail = (error.getResponse() as { detail?: string }).detail ?? error.message;
    return new GrpcError(code, renameFields(detail), fieldErrors);
  }
  return new GrpcError(status.INTERNAL, 'Internal server error');
}

export function isInternal(error: GrpcError): boolean {
  return error.code === status.INTERNAL;
}

const REST_TO_PROTO: [RegExp, string][] = [
  [/^data(?=$|\.)/, 'data_json'],
  [/^idempotencyKey$/, 'idempotency_key'],
  [/^tenantId$/, 'tenant_id'],
];

/** `data.amount` -> `data_json.amount`, `idempotencyKey` -> `idempotency_key`. */
export function protoFieldName(field: string): string {
  for (const [pattern, name] of REST_TO_PROTO) if (pattern.test(field)) return field.replace(pattern, name);
  return field;
}

/** Field names at the start of a REST detail ("data: too large", "idempotencyKey: ..."), renamed. */
function renameFields(detail: string): string {
  return detail.replace(/^(data|idempotencyKey)\b/, (field) => protoFieldName(field));
}
