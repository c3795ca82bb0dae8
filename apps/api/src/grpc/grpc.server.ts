import { Server, ServerCredentials } from '@grpc/grpc-js';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { EventServiceService } from '@hookline/grpc-contract';
import { DeliveryWatchHub } from './delivery-watch.hub';
import { EventServiceHandlers } from './event-service.handlers';

/** Room for a PublishRequest's other fields and framing around `data_json`. */
const MESSAGE_ENVELOPE_BYTES = 16 * 1024;
/** How long calls in progress may take to finish when the API stops. */
const SHUTDOWN_GRACE_MS = 5_000;

/**
 * The gRPC server of docs/contract.md#grpc, on GRPC_PORT (0 picks a free port: see `port`). It starts
 * with the API (when the Nest app initialises, i.e. on `listen`) and stops with it; a port that
 * cannot be bound fails the start like a busy HTTP port would.
 */
@Injectable()
export class GrpcServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(GrpcServer.name);
  private server?: Server;
  private boundPort = 0;

  constructor(
    private readonly handlers: EventServiceHandlers,
    private readonly hub: DeliveryWatchHub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The port actually bound. */
  get port(): number {
    return this.boundPort;
  }

  async onApplicationBootstrap() {
    const server = new Server({
      // Larger messages fail with RESOURCE_EXHAUSTED before they are read; smaller ones that are still too large get a proper error.
      'grpc.max_receive_message_length': this.config.MAX_PAYLOAD_BYTES + MESSAGE_ENVELOPE_BYTES,
      // WatchDeliveries calls are long-lived: find dead peers.
      'grpc.keepalive_time_ms': 60_000,
      'grpc.keepalive_timeout_ms': 20_000,
    });
    server.addService(EventServiceService, this.handlers.implementation());
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`0.0.0.0:${this.config.GRPC_PORT}`, ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(new Error(`gRPC server could not listen on GRPC_PORT ${this.config.GRPC_PORT}: ${error.message}`)) : resolve(port),
      ),
    );
    this.server = server;
    this.logger.log(`gRPC listening on port ${this.boundPort}`);
  }

  async onModuleDestroy() {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.hub.close();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
