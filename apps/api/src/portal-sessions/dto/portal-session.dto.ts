import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export const PORTAL_SESSION_MIN_SECONDS = 60;
export const PORTAL_SESSION_MAX_SECONDS = 604_800;

export const PortalSessionCreateSchema = z
  .object({
    expiresInSeconds: z
      .number({ message: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(PORTAL_SESSION_MIN_SECONDS, `must be ${PORTAL_SESSION_MIN_SECONDS}..${PORTAL_SESSION_MAX_SECONDS} seconds`)
      .max(PORTAL_SESSION_MAX_SECONDS, `must be ${PORTAL_SESSION_MIN_SECONDS}..${PORTAL_SESSION_MAX_SECONDS} seconds`)
      .default(3600),
    readOnly: z.boolean({ message: 'must be true or false' }).default(false),
  })
  .strict()
  // Every field is optional, so a POST without any body is a fair request.
  .default({ expiresInSeconds: 3600, readOnly: false });

export class PortalSessionCreateDto extends createZodDto(PortalSessionCreateSchema) {}
