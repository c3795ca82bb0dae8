import { status } from '@grpc/grpc-js';
import type { PublishInput } from '@hookline/events';
import type { PublishRequest } from '@hookline/grpc-contract';
import { validateWith } from '@hookline/http-problem';
import { findUnsafeText } from '@hookline/input-safety';
import { EventPublishSchema } from '../events/dto/event.dto';
import { GrpcError, protoFieldName } from './grpc-errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A PublishRequest as the input REST's `POST /events` would give the events service: the same
 * schema (so the same rules and messages), with proto field names in the errors. `data_json`
 * must be UTF-8 JSON; an empty `idempotency_key` means none (proto3 has no absent string).
 */
export function publishInput(request: PublishRequest, maxPayloadBytes: number): PublishInput {
  const data = parseData(request.dataJson, maxPayloadBytes);
  // The same input rule as REST's validation pipe: refused before anything reaches Postgres.
  const unsafe = findUnsafeText(request.type, 'type') ?? findUnsafeText(request.idempotencyKey, 'idempotency_key') ?? findUnsafeText(data, 'data_json');
  if (unsafe) throw GrpcError.invalid(unsafe.field, unsafe.message);
  const parsed = validateWith(EventPublishSchema, {
    type: request.type,
    data,
    ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
  });
  if (!parsed.success) {
    const errors = parsed.errors.map((e) => ({ field: protoFieldName(e.field), message: e.message }));
    throw new GrpcError(status.INVALID_ARGUMENT, `Validation failed: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
  }
  return { type: parsed.data.type, data: parsed.data.data, idempotencyKey: parsed.data.idempotencyKey };
}

function parseData(bytes: Uint8Array, maxPayloadBytes: number): unknown {
  if (bytes.length === 0) throw GrpcError.invalid('data_json', 'is required');
  // Checked before parsing, so an oversized message costs no JSON.parse; the events service checks the re-serialised size too.
  if (bytes.length > maxPayloadBytes) {
    throw new GrpcError(status.RESOURCE_EXHAUSTED, `data_json is larger than ${maxPayloadBytes} bytes`, [{ field: 'data_json', message: 'too large' }]);
  }
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    throw GrpcError.invalid('data_json', 'must be UTF-8 encoded JSON');
  }
}
