import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { EVENT_TYPE_NAME } from '@hookline/events';

export class BulkJobCreateQueryDto extends createZodDto(
  z
    .object({
      /** CSV only: the type of every row's event. */
      type: z.string().max(128, 'must be at most 128 characters').regex(EVENT_TYPE_NAME, 'must be dot-separated letters, digits, _ or -').optional(),
    })
    .strict(),
) {}
