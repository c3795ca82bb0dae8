import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { REPLAYABLE_STATUSES } from '@hookline/replays';
import { pageQueryShapeOf } from '@hookline/pagination';
import { isEventTypeFilter } from '@hookline/subscriptions';
import { isoDateTime } from '../../common/schemas';

const id = z.string().min(1).max(64);
const eventTypeFilter = z
  .string()
  .refine(isEventTypeFilter, 'must be an event type name like invoice.paid or a prefix wildcard like invoice.*')
  .meta({ description: 'An event type name or a prefix wildcard (invoice.*)' });

export class DeadLetterListQueryDto extends createZodDto(
  z
    .object({
      ...pageQueryShapeOf('dlv'),
      tenantId: id.optional(),
      subscriptionId: id.optional(),
      type: eventTypeFilter.optional(),
      since: isoDateTime.optional(),
      until: isoDateTime.optional(),
    })
    .strict(),
) {}

const replayStatus = z
  .string()
  .refine((s) => s !== 'succeeded', 'succeeded deliveries are never replayed in bulk; replay one by id (POST /v1/tenants/{tenantId}/deliveries/{deliveryId}/replay)')
  .pipe(z.enum(REPLAYABLE_STATUSES, { message: `must be one of ${REPLAYABLE_STATUSES.join(', ')}` }));

export class ReplayCreateDto extends createZodDto(
  z
    .object({
      tenantId: id.optional(),
      subscriptionId: id.optional(),
      eventType: eventTypeFilter.optional(),
      status: z
        .array(replayStatus)
        .min(1, 'must name at least one status')
        .max(REPLAYABLE_STATUSES.length)
        .optional()
        .meta({ description: 'Delivery statuses to replay; default ["dead", "failed"]' }),
      since: isoDateTime.optional().meta({ description: 'Deliveries created at or after this time' }),
      until: isoDateTime.optional().meta({ description: 'Deliveries created before this time' }),
    })
    .strict(),
) {}

export class ReplayListQueryDto extends createZodDto(z.object(pageQueryShapeOf('rpl')).strict()) {}

export class RecoverDto extends createZodDto(
  z
    .object({
      since: isoDateTime.meta({ description: 'Start of the outage window (inclusive)' }),
      until: isoDateTime.optional().meta({ description: 'End of the window (exclusive); default now' }),
    })
    .strict(),
) {}

export class StatsQueryDto extends createZodDto(z.object({ tenantId: id.optional() }).strict()) {}

export class SubscriptionOverviewQueryDto extends createZodDto(
  z
    .object({
      ...pageQueryShapeOf('sub'),
      tenantId: id.optional(),
      status: z.enum(['active', 'disabled'], { message: 'must be active or disabled' }).optional(),
      disabledReason: z.enum(['manual', 'failing', 'gone'], { message: 'must be manual, failing or gone' }).optional(),
    })
    .strict(),
) {}
