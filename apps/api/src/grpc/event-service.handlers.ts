import { handleClientStreamingCall, handleServerStreamingCall, handleUnaryCall, Metadata, ServerWritableStream, status } from '@grpc/grpc-js';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { BulkPublishService, EventsService, publishProblem } from '@hookline/events';
import { DeliveryUpdate, Event, EventServiceServer, PublishRequest, PublishSummary, WatchRequest } from '@hookline/grpc-contract';
import { findUnsafeText } from '@hookline/input-safety';
import { DeliveryUpdateMessage } from '@hookline/queue';
import { isEventTypeFilter, matchesEventType, MAX_EVENT_TYPE_FILTERS, SubscriptionsService } from '@hookline/subscriptions';
import { DeliveryWatchHub } from './delivery-watch.hub';
import { GrpcAuth } from './grpc-auth';
import { GrpcError, toGrpcError } from './grpc-errors';
import { deliveryUpdate, eventMessage } from './grpc-messages';
import { consumePublishStream, ItemOutcome, StreamItem, StreamPublisher } from './publish-stream';
import { publishInput } from './publish-request';
import { inGrpcSpan } from './grpc-trace';

/** Updates a watcher may leave unread before it is ended: a slow reader must not hold memory without bound. */
export const MAX_UNREAD_UPDATES = 10_000;

/**
 * hookline.v1.EventService (docs/contract.md#grpc). Thin, like a controller: authenticate, check the
 * request, call the same services as REST, map the result; errors become gRPC statuses.
 */
@Injectable()
export class EventServiceHandlers {
  private readonly logger = new Logger('EventService');

  constructor(
    private readonly auth: GrpcAuth,
    private readonly events: EventsService,
    private readonly bulk: BulkPublishService,
    private readonly subscriptions: SubscriptionsService,
    private readonly hub: DeliveryWatchHub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** What @grpc/grpc-js's `addService` takes. */
  implementation(): EventServiceServer {
    return { publish: this.publish, publishStream: this.publishStream, watchDeliveries: this.watchDeliveries };
  }

  readonly publish: handleUnaryCall<PublishRequest, Event> = (call, callback) => {
    const run = () =>
      inGrpcSpan('Publish', call.metadata, async (trace) => {
        const principal = await this.auth.authenticate(call.metadata);
        // As in REST: whose tenant it is comes before what is wrong with the body.
        await this.auth.assertTenantVisible(principal, call.request.tenantId);
        const input = { ...publishInput(call.request, this.config.MAX_PAYLOAD_BYTES), trace };
        const { event, replayed } = await this.events.publish(call.request.tenantId, input);
        if (replayed) call.sendMetadata(replayedHeader());
        return eventMessage(call.request.tenantId, event, replayed);
      });
    run().then(
      (event) => callback(null, event),
      (error: unknown) => callback(this.failure(error, 'Publish')),
    );
  };

  readonly publishStream: handleClientStreamingCall<PublishRequest, PublishSummary> = (call, callback) => {
    const run = () =>
      inGrpcSpan('PublishStream', call.metadata, async (trace) => {
        const principal = await this.auth.authenticate(call.metadata);
        const tenantVisible = this.auth.tenantChecker(principal);
        const publisher: StreamPublisher = {
          prepare: async (request) => {
            await tenantVisible(request.tenantId);
            return { tenantId: request.tenantId, input: { ...publishInput(request, this.config.MAX_PAYLOAD_BYTES), trace } };
          },
          publishBatch: (items) => this.publishBatch(items),
        };
        return consumePublishStream(call, publisher, (error, index) => this.logger.error(`PublishStream message ${index} failed: ${describe(error)}`));
      });
    run().then(
      (summary) => callback(null, summary),
      (error: unknown) => {
        if (!call.cancelled) callback(this.failure(error, 'PublishStream'));
      },
    );
  };

  /**
   * One set-based insert per tenant in the batch (BulkPublishService: the same checks, idempotency
   * and outbox as a single publish; a tenant's or a message's failure fails only its own messages).
   * A message it rejects gets the exact error (status, fields) Publish would give. Never throws.
   */
  private async publishBatch(items: StreamItem[]): Promise<ItemOutcome[]> {
    const { outcomes, deliveries } = await this.bulk.publishEach(items);
    await this.bulk.enqueue(deliveries);
    return outcomes.map((outcome): ItemOutcome => {
      if (outcome instanceof Error) return { error: outcome };
      if (outcome.status !== 'rejected') return { replayed: outcome.status === 'replayed' };
      return { error: publishProblem(outcome.problem) };
    });
  }

  readonly watchDeliveries: handleServerStreamingCall<WatchRequest, DeliveryUpdate> = (call) => {
    this.startWatch(call).catch((error: unknown) => {
      if (!call.cancelled) call.emit('error', this.failure(error, 'WatchDeliveries'));
    });
  };

  private async startWatch(call: ServerWritableStream<WatchRequest, DeliveryUpdate>) {
    const request = call.request;
    const principal = await this.auth.authenticate(call.metadata);
    await this.auth.assertTenantVisible(principal, request.tenantId);
    const types = typeFilters(request.types);
    const subscriptionId = request.subscriptionId || undefined;
    const unsafe = findUnsafeText(subscriptionId, 'subscription_id');
    if (unsafe) throw GrpcError.invalid(unsafe.field, unsafe.message);
    if (subscriptionId) await this.subscriptions.get(request.tenantId, subscriptionId);
    if (call.cancelled) return;

    let unwatch = () => {};
    const end = (error: GrpcError) => {
      unwatch();
      call.emit('error', error.toServiceError());
    };
    const listener = (update: DeliveryUpdateMessage) => {
      if (subscriptionId && update.subscriptionId !== subscriptionId) return;
      if (!matchesEventType(types, update.eventType)) return;
      if (call.writableLength >= MAX_UNREAD_UPDATES) {
        end(new GrpcError(status.RESOURCE_EXHAUSTED, `More than ${MAX_UNREAD_UPDATES} updates left unread; watch again`));
        return;
      }
      call.write(deliveryUpdate(update));
    };
    try {
      unwatch = await this.hub.watch(request.tenantId, listener, () =>
        call.emit('error', new GrpcError(status.UNAVAILABLE, 'The server is shutting down; watch again').toServiceError()),
      );
    } catch (error) {
      this.logger.warn(`WatchDeliveries could not subscribe: ${describe(error)}`);
      throw new GrpcError(status.UNAVAILABLE, 'Delivery updates are unavailable right now');
    }
    call.on('cancelled', unwatch);
    call.on('close', unwatch);
    if (call.cancelled) return unwatch();
    // Headers now tell the client the watch is in place: anything recorded from here on reaches it.
    call.sendMetadata(new Metadata());
  }

  private failure(error: unknown, method: string) {
    const failure = toGrpcError(error);
    if (failure.code === status.INTERNAL) this.logger.error(`${method} failed: ${describe(error)}`);
    return failure.toServiceError();
  }
}

function replayedHeader(): Metadata {
  const metadata = new Metadata();
  metadata.set('idempotent-replayed', 'true');
  return metadata;
}

function typeFilters(types: string[]): string[] {
  if (types.length > MAX_EVENT_TYPE_FILTERS) throw GrpcError.invalid('types', `at most ${MAX_EVENT_TYPE_FILTERS} filters`);
  types.forEach((type, i) => {
    if (!isEventTypeFilter(type)) throw GrpcError.invalid(`types.${i}`, 'must be an event type name or a prefix wildcard like invoice.*');
  });
  return types;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
