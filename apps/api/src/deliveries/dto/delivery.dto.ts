import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { pageQueryShape } from '@hookline/pagination';
import { isoDateTime } from '../../common/schemas';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'dead', 'cancelled'] as const;

export class DeliveryListQueryDto extends createZodDto(
  z
    .object({
      ...pageQueryShape,
      status: z.enum(DELIVERY_STATUSES, { message: `must be one of ${DELIVERY_STATUSES.join(', ')}` }).optional(),
      subscriptionId: z.string().min(1).max(64).optional(),
      eventId: z.string().min(1).max(64).optional(),
      eventType: z.string().min(1).max(200).optional().meta({ description: 'Only deliveries of events of this type (exact name)' }),
      since: isoDateTime.optional(),
      until: isoDateTime.optional(),
    })
    .strict(),
) {}

export class DeliveryStreamQueryDto extends createZodDto(
  z
    .object({
      subscriptionId: z.string().min(1).max(64).optional(),
      eventType: z.string().min(1).max(200).optional().meta({ description: 'Only deliveries of events of this type (exact name)' }),
    })
    .strict(),
) {}
