import { z } from 'zod';
import { EVENT_TYPE_NAME, PublishInput } from '@hookline/events';
import { zodFieldErrors } from '@hookline/http-problem';

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
    if (row.data === undefined) ctx.addIssue({ code: 'custom', path: ['data'], message: 'is required' });
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
  const parsed = BulkRowSchema.safeParse(value);
  if (!parsed.success) return { error: zodFieldErrors(parsed.error.issues).map((e) => `${e.field}: ${e.message}`).join('; ') };
  const { type, data, idempotencyKey } = parsed.data;
  return { input: idempotencyKey === undefined ? { type, data } : { type, data, idempotencyKey } };
}
