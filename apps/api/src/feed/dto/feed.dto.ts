import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** A name, `*`, or a prefix wildcard such as `invoice.*`: the same forms as a subscription filter. */
const typeFilter = /^(\*|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?)$/;

export const FeedQuerySchema = z
  .object({
    after: z.string().min(1, 'must not be empty').max(200, 'is not a cursor this feed issued').optional(),
    limit: z.coerce.number().int('must be a whole number').min(1, 'must be 1..100').max(100, 'must be 1..100').default(20),
    types: z
      .string()
      .optional()
      .transform((value, ctx) => {
        const names = (value ?? '')
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
        if (names.length > 50) ctx.addIssue({ code: 'custom', message: 'at most 50 types' });
        for (const name of names) {
          if (name.length > 130 || !typeFilter.test(name)) ctx.addIssue({ code: 'custom', message: `"${name.slice(0, 130)}" is not an event type name or prefix wildcard` });
        }
        return names;
      }),
    wait: z.coerce.number({ message: 'must be a number of seconds' }).min(0, 'must be 0..30 seconds').max(30, 'must be 0..30 seconds').default(0),
  })
  .strict();

export class FeedQueryDto extends createZodDto(FeedQuerySchema) {}
