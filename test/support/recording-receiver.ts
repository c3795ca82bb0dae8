import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  body: string;
  receivedAt: number;
  /** The peer of the connection the request came on (a proxy's outgoing address when one is in between). */
  remoteAddress: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the connection stays open until the receiver closes). */
  hang?: boolean;
  /** Answer once this settles (after `delayMs`, if any). */
  until?: Promise<unknown>;
}

export type Responder = (request: ReceivedRequest, index: number) => Reply;

/** A webhook endpoint on 127.0.0.1 that records every request and answers as told. */
export class RecordingReceiver {
  readonly requests: ReceivedRequest[] = [];
  private server!: Server;
  private readonly open = new Set<ServerResponse>();
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(private responder: Responder = () => ({ status: 200 })) {}

  static async start(responder?: Responder): Promise<RecordingReceiver> {
    const receiver = new RecordingReceiver(responder);
    await receiver.listen();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  respondWith(responder: Responder) {
    this.responder = responder;
  }

  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs = 15_000): Promise<ReceivedRequest[]> {
    if (this.requests.length >= count) return Promise.resolve(this.requests.slice());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${count} requests, got ${this.requests.length} within ${timeoutMs}ms`)), timeoutMs);
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(this.requests.slice())) });
    });
  }

  async close() {
    for (const response of this.open) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
          remoteAddress: req.socket.remoteAddress ?? '',
        };
        const index = this.requests.push(request) - 1;
        this.waiters = this.waiters.filter((w) => (this.requests.length >= w.count ? (w.resolve(), false) : true));
        const reply = this.responder(request, index);
        if (reply.hang) {
          this.open.add(res);
          return;
        }
        const write = () => res.writeHead(reply.status ?? 200, reply.headers ?? {}).end(reply.body ?? '');
        const send = reply.until ? () => void reply.until!.finally(write) : write;
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
  }
}
