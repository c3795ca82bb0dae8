import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { SERIES_BUCKET_NAMES } from '@hookline/delivery-stats';
import { isoDateTime } from '../../common/schemas';

const id = z.string().min(1).max(64);

const seriesShape = {
  subscriptionId: id.optional().meta({ description: 'Only this subscription' }),
  since: isoDateTime.optional().meta({ description: 'Start of the range (default: 24 hours before `until`)' }),
  until: isoDateTime.optional().meta({ description: 'End of the range, exclusive (default: now)' }),
  bucket: z
    .enum(SERIES_BUCKET_NAMES as [string, ...string[]], { message: `must be one of ${SERIES_BUCKET_NAMES.join(', ')}` })
    .optional()
    .meta({ description: 'Bucket width; default chosen from the range' }),
};

export class StatsSeriesQueryDto extends createZodDto(z.object(seriesShape).strict()) {}

export class AdminStatsSeriesQueryDto extends createZodDto(z.object({ ...seriesShape, tenantId: id.optional().meta({ description: 'Only this tenant' }) }).strict()) {}
