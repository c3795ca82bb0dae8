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

export class TenantListQueryDto extends createZodDto(z.object(pageQueryShapeOf('ten')).strict()) {}
