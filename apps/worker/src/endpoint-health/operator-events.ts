import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { APP_CONFIG, AppConfig, HOOKLINE_VERSION } from '@hookline/config';
import { HttpDeliveryClient } from '@hookline/http-delivery';
import { newId } from '@hookline/ids';
import { OPERATOR_EVENTS_QUEUE, OperatorEventJobData, operatorEventJob } from '@hookline/queue';
import { createSigner, eventBody, SigningKey, signatureHeaders } from '@hookline/signing';

/**
 * Operational events for the people on call (`subscription.disabled`, `delivery.dead`), POSTed to
 * OPERATOR_WEBHOOK_URL exactly like a delivery: same body shape, Standard Webhooks and GitHub
 * signatures under OPERATOR_WEBHOOK_SECRET, retried with backoff from the `operator-events` queue.
 * Not stored in Postgres and not a tenant's event: nothing to configure but two variables.
 */
@Injectable()
export class OperatorEvents {
  private readonly logger = new Logger(OperatorEvents.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(OPERATOR_EVENTS_QUEUE) private readonly queue: Queue<OperatorEventJobData>,
  ) {}

  get enabled(): boolean {
    return Boolean(this.config.OPERATOR_WEBHOOK_URL);
  }

  /** Best effort, never throws. `dedupeKey` makes a repeated report of the same fact a no-op. */
  async emit(type: OperatorEventJobData['type'], dedupeKey: string, data: Record<string, unknown>): Promise<void> {
    if (!this.enabled) return;
    const job = operatorEventJob({ id: newId('evt'), type, timestamp: new Date().toISOString(), data }, dedupeKey);
    await this.queue.add(job.name, job.data, job.opts).catch((error: Error) => this.logger.warn(`operator event ${type} (${dedupeKey}) not queued: ${error.message}`));
  }
}

/** Sends the operator events; a non-2xx answer fails the job and BullMQ retries it with backoff. */
@Processor(OPERATOR_EVENTS_QUEUE, { concurrency: 4 })
export class OperatorEventsProcessor extends WorkerHost {
  private readonly signer?: SigningKey;
  private readonly http: HttpDeliveryClient;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    if (config.OPERATOR_WEBHOOK_SECRET) this.signer = createSigner(config.OPERATOR_WEBHOOK_SECRET);
    // The URL is the operators' own configuration, not a tenant's input: internal addresses are fine.
    this.http = new HttpDeliveryClient({ timeoutMs: config.DELIVERY_TIMEOUT_MS, allowPrivateNetworks: true, connections: 4 });
  }

  async process(job: Job<OperatorEventJobData>): Promise<void> {
    const url = this.config.OPERATOR_WEBHOOK_URL;
    if (!url || !this.signer) return;
    const event = job.data;
    const body = eventBody({ id: event.id, type: event.type, timestamp: event.timestamp, dataJson: JSON.stringify(event.data) });
    const headers = {
      'content-type': 'application/json',
      'user-agent': `Hookline/${HOOKLINE_VERSION}`,
      ...signatureHeaders({ msgId: event.id, timestamp: Math.floor(Date.now() / 1000), body, secrets: [this.signer] }),
      'x-hookline-event': event.type,
      'x-hookline-attempt': String(job.attemptsMade + 1),
    };
    const outcome = await this.http.post(url, body, headers);
    if (outcome.error !== null || outcome.statusCode === null || outcome.statusCode < 200 || outcome.statusCode >= 300) {
      throw new Error(`operator webhook answered ${outcome.statusCode ?? outcome.error}`);
    }
  }
}
