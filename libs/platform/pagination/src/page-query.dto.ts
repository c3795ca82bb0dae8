import { createZodDto } from 'nestjs-zod';
import { PageQuerySchema } from './pagination';

export class PageQueryDto extends createZodDto(PageQuerySchema) {}
