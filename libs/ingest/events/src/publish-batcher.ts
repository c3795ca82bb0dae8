import { Injectable } from '@nestjs/common';
import { GroupCommit } from '@hookline/batching';
import { inSpan } from '@hookline/tracing';
import { BulkPublishOutcome, BulkPublishService, TenantPublish } from './bulk-publish.service';
import { PublishInput } from './event-views';

/** Far above what arrives during one flush at full speed; bounds one statement's size. */
const MAX_BATCH = 500;

interface Written {
  outcome: BulkPublishOutcome;
  /** The batch's addBulk: a caller answers after it, but the next batch's statement need not wait for it. */
  enqueued: Promise<void>;
}

/**
 * Every single publish (REST, gRPC Publish, a subscription's test send) is a batch of one or more
 * written together: each request that arrives while a write is
 * in flight joins the next one (group commit), which is one set-based statement per tenant and one
 * addBulk for all. Alone, a publish goes at once. Every outcome is as if published on its own
 * (BulkPublishService keeps the same checks, idempotency and outbox, and publishes the requests of
 * a failed statement again apart, so one request's failure is never another's).
 */
@Injectable()
export class PublishBatcher {
  private readonly group = new GroupCommit<TenantPublish, Written>((requests) => this.write(requests), MAX_BATCH);

  constructor(private readonly bulk: BulkPublishService) {}

  /**
   * Resolves once the event committed (or was found already published); rejects if it did not commit.
   * With `onlySubscriptionId`, a test send: its one delivery goes to that subscription alone.
   */
  async publish(tenantId: string, input: PublishInput, onlySubscriptionId?: string): Promise<BulkPublishOutcome> {
    // Spans of this request's wait: the write and the addBulk are shared with the batch's other publishes.
    const { outcome, enqueued } = await inSpan('hookline.publish.write', { attributes: { 'hookline.tenant_id': tenantId } }, async (span) => {
      const written = await this.group.submit(onlySubscriptionId ? { tenantId, input, onlySubscriptionId } : { tenantId, input });
      span.setAttribute('hookline.outcome', written.outcome.status);
      if (written.outcome.status !== 'rejected') span.setAttribute('hookline.event_id', written.outcome.eventId);
      return written;
    });
    await inSpan('hookline.publish.enqueue', {}, () => enqueued);
    return outcome;
  }

  /** Publishes submitted and waiting for the next write. */
  get waiting(): number {
    return this.group.pending;
  }

  private async write(requests: TenantPublish[]): Promise<(Written | Error)[]> {
    const { outcomes, deliveries } = await this.bulk.publishEach(requests);
    // Outbox: after every statement committed; never rejects (the sweeper enqueues what Redis refuses).
    const enqueued = this.bulk.enqueue(deliveries);
    return outcomes.map((outcome) => (outcome instanceof Error ? outcome : { outcome, enqueued }));
  }
}
