import type { BadRequest_FieldViolation } from './generated/google/rpc/error_details';
import { BadRequest } from './generated/google/rpc/error_details';
import { Status } from './generated/google/rpc/status';

/** The trailer in which gRPC carries a serialised google.rpc.Status (the "richer error model"). */
export const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';
const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';

export type FieldViolation = BadRequest_FieldViolation;

/** A google.rpc.Status naming the fields at fault, for the `grpc-status-details-bin` trailer. */
export function encodeBadRequestStatus(code: number, message: string, violations: FieldViolation[]): Buffer {
  const badRequest = BadRequest.encode({ fieldViolations: violations }).finish();
  return Buffer.from(Status.encode({ code, message, details: [{ typeUrl: BAD_REQUEST_TYPE_URL, value: Buffer.from(badRequest) }] }).finish());
}

/** The field violations in a `grpc-status-details-bin` trailer; none when it holds no BadRequest. */
export function decodeBadRequestStatus(trailer: Buffer | Uint8Array): FieldViolation[] {
  return Status.decode(trailer)
    .details.filter((any) => any.typeUrl === BAD_REQUEST_TYPE_URL)
    .flatMap((any) => BadRequest.decode(any.value).fieldViolations);
}
