import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { pageQueryShapeOf } from '@hookline/pagination';

export const ApiKeyCreateSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  })
  .strict()
  // Every field is optional, so a POST without any body is a fair request.
  .default({});

export class ApiKeyCreateDto extends createZodDto(ApiKeyCreateSchema) {}

export class ApiKeyListQueryDto extends createZodDto(z.object(pageQueryShapeOf('key')).strict()) {}
