import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { EVENT_TYPE_NAME_MAX_LENGTH, EVENT_TYPE_NAME_PATTERN, isEventTypeName } from '@hookline/event-types';
import { pageQueryShapeWith } from '@hookline/pagination';

const description = z.string().max(1000, 'must be at most 1000 characters');
// Shape only; whether it is a usable JSON Schema is decided by ajv in the domain service.
const schema = z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' });

export const EventTypeCreateSchema = z
  .object({
    name: z
      .string()
      .max(EVENT_TYPE_NAME_MAX_LENGTH, `must be at most ${EVENT_TYPE_NAME_MAX_LENGTH} characters`)
      .regex(EVENT_TYPE_NAME_PATTERN, 'must be dot-separated segments of letters, digits, "_" or "-", e.g. invoice.paid'),
    description: description.optional(),
    schema: schema.nullable().optional(),
  })
  .strict();

export class EventTypeCreateDto extends createZodDto(EventTypeCreateSchema) {}

/** The name is the identity, so it cannot change; `null` clears a description or schema. */
export const EventTypeUpdateSchema = z
  .object({
    description: description.nullable().optional(),
    schema: schema.nullable().optional(),
  })
  .strict();

export class EventTypeUpdateDto extends createZodDto(EventTypeUpdateSchema) {}

/** The catalogue is alphabetical: its cursor is the last name shown. */
export class EventTypeListQueryDto extends createZodDto(z.object(pageQueryShapeWith(isEventTypeName)).strict()) {}
