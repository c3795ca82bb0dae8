import { z } from 'zod';
import type { PublishInput } from '@hookline/events';
import { EVENT_TYPE_NAME } from '@hookline/events';
import { validateWith } from '@hookline/http-problem';
import { findUnsafeText, unsafeStringReason } from '@hookline/input-safety';

/**
 * One row as `POST /events` would take its body: the same fields, limits and messages as
 * EventPublishSchema in apps/api/src/events/dto (which the worker cannot import), strict about
 * unknown fields.
 */
export const BulkRowSchema = z
  .object({
    type: z.string().max(128, 'must be at most 128 characters').regex(EVENT_TYPE_NAME, 'must be dot-separated letters, digits, _ or -'),
    data: z.unknown(),
    idempotencyKey: z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters').optional(),
  })
  .strict()
  .superRefine((row, ctx) => {
    if (row.data === undefined || row.data === null) ctx.addIssue({ code: 'custom', path: ['data'], message: 'is required' });
  });

export type ParsedRow = { input: PublishInput; error?: undefined } | { error: string; input?: undefined };

/** A staged row (one NDJSON line) as a publish input, or the reason it is a bad row. */
export function parseBulkRow(text: string): ParsedRow {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `not valid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'must be a JSON object { type, data, idempotencyKey? }' };
  // The same input rule as the API's edge: field by field, so nesting counts from `data`.
  for (const [name, field] of Object.entries(value)) {
    const keyReason = unsafeStringReason(name);
    if (keyReason) return { error: `a field name ${keyReason}` };
    const unsafe = findUnsafeText(field, name);
    if (unsafe) return { error: `${unsafe.field}: ${unsafe.message}` };
  }
  const parsed = validateWith(BulkRowSchema, value);
  if (!parsed.success) return { error: parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; ') };
  const { type, data, idempotencyKey } = parsed.data;
  return { input: idempotencyKey === undefined ? { type, data } : { type, data, idempotencyKey } };
}
