import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { pageQueryShapeOf } from '@hookline/pagination';
import { customHeaderProblems, endpointUrlProblem, isEventTypeFilter, MAX_CUSTOM_HEADERS, MAX_EVENT_TYPE_FILTERS, webhookSecretProblem } from '@hookline/subscriptions';
import { metadataSchema } from '../../common/schemas';

/** Adds the issue a pure check reports, if any. */
const checkedBy = (problem: (value: string) => string | null) => (value: string, ctx: z.RefinementCtx) => {
  const message = problem(value);
  if (message) ctx.addIssue({ code: 'custom', message });
};

const urlSchema = z
  .string()
  .superRefine(checkedBy(endpointUrlProblem))
  .meta({ format: 'uri', maxLength: 2048, description: 'Absolute http(s) URL without credentials; must reach a public address' });

const eventTypesSchema = z
  .array(
    z
      .string()
      .refine(isEventTypeFilter, 'must be an event type name like invoice.paid or a prefix wildcard like invoice.*')
      .meta({ pattern: '^(\\*|[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*(\\.\\*)?)$', maxLength: 200 }),
  )
  .max(MAX_EVENT_TYPE_FILTERS, `must have at most ${MAX_EVENT_TYPE_FILTERS} entries`)
  .meta({ description: 'Event type names or prefix wildcards (invoice.*); absent or empty means every type' });

// Values are checked as unknown first so every bad header is named at once, not only mistyped ones.
const headersSchema = z
  .record(z.string(), z.unknown())
  .superRefine((headers, ctx) => {
    if (Object.keys(headers).length > MAX_CUSTOM_HEADERS) ctx.addIssue({ code: 'custom', message: `must have at most ${MAX_CUSTOM_HEADERS} entries` });
    for (const { name, message } of customHeaderProblems(headers)) ctx.addIssue({ code: 'custom', message, path: [name] });
  })
  .meta({ maxProperties: MAX_CUSTOM_HEADERS, additionalProperties: { type: 'string' }, description: 'Custom headers sent with every delivery' })
  .pipe(z.record(z.string(), z.string()));

const secretSchema = z.string().superRefine(checkedBy(webhookSecretProblem)).meta({ pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$', description: 'whsec_ + base64 of 24..64 bytes' });

const subscriptionFields = {
  url: urlSchema,
  eventTypes: eventTypesSchema.optional(),
  description: z.string().max(500, 'must be at most 500 characters').nullable().optional(),
  headers: headersSchema.optional(),
  rateLimitPerSecond: z.number().int('must be a whole number').min(1, 'must be 1..10000').max(10_000, 'must be 1..10000').nullable().optional(),
  metadata: metadataSchema.nullable().optional(),
};

export const SubscriptionCreateSchema = z
  .object({
    ...subscriptionFields,
    secret: secretSchema.optional(),
    signatureScheme: z.enum(['v1', 'v1a'], { message: 'must be v1 or v1a' }).optional(),
  })
  .strict();

export class SubscriptionCreateDto extends createZodDto(SubscriptionCreateSchema) {}

export class SubscriptionUpdateDto extends createZodDto(z.object(subscriptionFields).partial().strict()) {}

const MAX_GRACE_SECONDS = 7 * 86_400;

/** The body may be absent: rotating with a generated secret and the default grace needs no fields. */
export const RotateSecretSchema = z.preprocess(
  (body) => body ?? {},
  z
    .object({
      secret: secretSchema.optional(),
      graceSeconds: z
        .number()
        .int('must be a whole number')
        .min(0, `must be 0..${MAX_GRACE_SECONDS} (7 days)`)
        .max(MAX_GRACE_SECONDS, `must be 0..${MAX_GRACE_SECONDS} (7 days)`)
        .optional(),
    })
    .strict(),
);

export class RotateSecretDto extends createZodDto(RotateSecretSchema) {}

export class SubscriptionListQueryDto extends createZodDto(
  z.object({ ...pageQueryShapeOf('sub'), status: z.enum(['active', 'disabled'], { message: 'must be active or disabled' }).optional() }).strict(),
) {}
