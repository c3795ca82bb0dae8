import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { pageQueryShapeOf } from '@hookline/pagination';
import { metadataSchema } from '../../common/schemas';

export const TenantCreateSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    metadata: metadataSchema.optional(),
  })
  .strict();

export class TenantCreateDto extends createZodDto(TenantCreateSchema) {}

export class TenantUpdateDto extends createZodDto(TenantCreateSchema.partial().strict()) {}

export const TenantListQuerySchema = z
  .object({
    ...pageQueryShapeOf('ten'),
    q: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .meta({ description: 'Tenants whose name contains this text (any case), or the tenant with exactly this id (`ten_…`)' })
      .optional(),
  })
  .strict();

export class TenantListQueryDto extends createZodDto(TenantListQuerySchema) {}
