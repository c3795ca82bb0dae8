import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { pageQueryShape } from '@hookline/pagination';
import { EVENT_TYPE_NAME } from '@hookline/events';
import { isoDateTime } from '../../common/schemas';

const eventTypeName = z.string().max(128, 'must be at most 128 characters').regex(EVENT_TYPE_NAME, 'must be dot-separated letters, digits, _ or -');
export const idempotencyKey = z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters');

export const EventPublishSchema = z
  .object({
    type: eventTypeName,
    data: z.unknown(),
    idempotencyKey: idempotencyKey.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.data === undefined) ctx.addIssue({ code: 'custom', path: ['data'], message: 'is required' });
  });

export class EventPublishDto extends createZodDto(EventPublishSchema) {}

export class EventListQueryDto extends createZodDto(
  z.object({ ...pageQueryShape, type: eventTypeName.optional(), since: isoDateTime.optional(), until: isoDateTime.optional() }).strict(),
) {}

export class SubscriptionTestDto extends createZodDto(
  z
    .object({
      type: eventTypeName.optional(),
      data: z
        .record(z.string(), z.unknown(), { message: 'must be a JSON object' })
        .optional()
        .meta({ description: "The test event's data (validated against the type's schema); default a short test message" }),
    })
    .strict(),
) {}
