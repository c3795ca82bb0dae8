import { Injectable } from '@nestjs/common';
import { GroupCommit } from '@hookline/batching';
import { DeliveryJobData } from '@hookline/queue';
import { BulkPublishOutcome, BulkPublishService } from './bulk-publish.service';
import { PublishInput } from './event-views';

interface PublishRequest {
  tenantId: string;
  input: PublishInput;
}

/** Far above what arrives during one flush at full speed; bounds one statement's size. */
const MAX_BATCH = 500;

interface Written {
  outcome: BulkPublishOutcome;
  /** The batch's addBulk: a caller answers after it, but the next batch's statement need not wait for it. */
  enqueued: Promise<void>;
}

/**
 * Single publishes (REST, gRPC Publish) written together: each request that arrives while a write is
 * in flight joins the next one (group commit), which is one set-based statement per tenant and one
 * addBulk for all. Alone, a publish goes at once. Every outcome is as if published on its own
 * (BulkPublishService keeps the same checks, idempotency and outbox).
 */
@Injectable()
export class PublishBatcher {
  private readonly group = new GroupCommit<PublishRequest, Written>((requests) => this.write(requests), MAX_BATCH);

  constructor(private readonly bulk: BulkPublishService) {}

  async publish(tenantId: string, input: PublishInput): Promise<BulkPublishOutcome> {
    const { outcome, enqueued } = await this.group.submit({ tenantId, input });
    await enqueued;
    return outcome;
  }

  private async write(requests: PublishRequest[]): Promise<(Written | Error)[]> {
    const outcomes: (BulkPublishOutcome | Error)[] = new Array(requests.length);
    const byTenant = new Map<string, number[]>();
    requests.forEach((request, i) => {
      const positions = byTenant.get(request.tenantId);
      if (positions) positions.push(i);
      else byTenant.set(request.tenantId, [i]);
    });
    const deliveries: DeliveryJobData[] = [];
    await Promise.all(
      [...byTenant].map(async ([tenantId, positions]) => {
        try {
          const result = await this.bulk.publishMany(tenantId, positions.map((i) => requests[i].input));
          result.outcomes.forEach((outcome, j) => (outcomes[positions[j]] = outcome));
          deliveries.push(...result.deliveries);
        } catch (error) {
          // One tenant's failure (say a statement timeout) fails only its own requests.
          for (const i of positions) outcomes[i] = error as Error;
        }
      }),
    );
    // Outbox: after every statement committed; never rejects (the sweeper enqueues what Redis refuses).
    const enqueued = this.bulk.enqueue(deliveries);
    return outcomes.map((outcome) => (outcome instanceof Error ? outcome : { outcome, enqueued }));
  }
}
