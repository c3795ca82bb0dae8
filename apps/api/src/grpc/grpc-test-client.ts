// Test support for the *.e2e-spec.ts beside it: a real @grpc/grpc-js client built from the .proto
// at run time (@grpc/proto-loader), as an outside producer would build one, not from the generated code.
import type { ServiceError } from '@grpc/grpc-js';
import { credentials, loadPackageDefinition, Metadata, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import type { FieldViolation } from '@hookline/grpc-contract';
import { decodeBadRequestStatus, STATUS_DETAILS_TRAILER } from '@hookline/grpc-contract';
import { GrpcServer } from './grpc.server';

export const PROTO_DIR = join(__dirname, '../../../../proto');

/** Messages as proto-loader renders them: proto field names, enums as names, defaults filled in. */
export interface PublishRequestMessage {
  tenant_id: string;
  type: string;
  data_json: Buffer;
  idempotency_key?: string;
}
export interface EventMessage {
  id: string;
  tenant_id: string;
  type: string;
  data_json: Buffer;
  idempotency_key: string;
  created_at: string;
  delivery_count: number;
  replayed: boolean;
}
export interface PublishSummaryMessage {
  accepted: number;
  rejected: number;
  replayed: number;
  errors: { index: number; code: number; message: string; field_errors: { field: string; message: string }[] }[];
  errors_truncated: boolean;
}
export interface DeliveryUpdateMessage {
  delivery_id: string;
  event_id: string;
  subscription_id: string;
  status: string;
  attempt: number;
  status_code?: number;
  error?: string;
  at: string;
  event_type: string;
  duration_ms: number;
  next_attempt_at?: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Callback<T> = (error: ServiceError | null, response: T) => void;
interface EventServiceClient {
  publish(request: PublishRequestMessage, metadata: Metadata, callback: Callback<EventMessage>): any;
  publishStream(metadata: Metadata, callback: Callback<PublishSummaryMessage>): any;
  watchDeliveries(request: object, metadata: Metadata): any;
  close(): void;
}

export function loadEventServiceClient(address: string, options: Record<string, number> = {}): EventServiceClient {
  const definition = loadSync('hookline/v1/events.proto', { includeDirs: [PROTO_DIR], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  const hookline = loadPackageDefinition(definition).hookline as any;
  return new hookline.v1.EventService(address, credentials.createInsecure(), options);
}

/** A client of this API app's gRPC server (e.g. `grpcClient(stack.api.app)`). */
export function grpcClient(app: INestApplication, options?: Record<string, number>): EventServiceClient {
  return loadEventServiceClient(`127.0.0.1:${app.get(GrpcServer).port}`, options);
}

export function bearer(key: string | undefined): Metadata {
  const metadata = new Metadata();
  if (key !== undefined) metadata.set('authorization', `Bearer ${key}`);
  return metadata;
}

export function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Publish, with the response headers (for `idempotent-replayed`). */
export function publish(client: EventServiceClient, request: PublishRequestMessage, key: string | undefined) {
  return new Promise<{ event: EventMessage; headers: Metadata }>((resolve, reject) => {
    let headers = new Metadata();
    const call = client.publish(request, bearer(key), (error, event) => (error ? reject(error) : resolve({ event, headers })));
    call.on('metadata', (metadata: Metadata) => (headers = metadata));
  });
}

/** Resolves with the error the promise rejects with, after checking its gRPC status code. */
export async function grpcError(promise: Promise<unknown>, code: status): Promise<ServiceError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected gRPC status ${status[code]}, but the call succeeded`);
    },
    (e: ServiceError) => e,
  );
  if (error.code !== code) throw new Error(`expected gRPC status ${status[code]}, got ${status[error.code]}: ${error.details}`);
  return error;
}

/** The google.rpc.BadRequest field violations in an error's `grpc-status-details-bin` trailer. */
export function fieldViolations(error: ServiceError): FieldViolation[] {
  const [details] = error.metadata.get(STATUS_DETAILS_TRAILER);
  return details ? decodeBadRequestStatus(details as Buffer) : [];
}
