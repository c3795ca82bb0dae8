import { performance } from 'node:perf_hooks';
import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import type { AttemptOutcome } from './attempt-outcome';
import { describeDeliveryError } from './delivery-errors';
import { guardedConnector } from './guarded-connector';
import type { ProxyTunnel } from './proxy-tunnel';
import { proxyTunnel } from './proxy-tunnel';
import { flattenHeaders, readExcerpt } from './response-excerpt';

export interface HttpDeliveryOptions {
  /** Whole-attempt deadline: waiting for a pooled connection, connect, TLS, headers and the excerpt. */
  timeoutMs: number;
  /** Skip the SSRF checks (tests, local use): ALLOW_PRIVATE_NETWORKS. */
  allowPrivateNetworks: boolean;
  /** Keep-alive connections per origin; requests beyond them queue inside the pool. */
  connections?: number;
  /** Resolver override for tests; node:dns lookup by default. */
  lookup?: LookupFunction;
  /** EGRESS_PROXY_URL: every request goes through this HTTP CONNECT proxy (see proxy-tunnel.ts). */
  proxyUrl?: string;
}

export const RESPONSE_EXCERPT_BYTES = 4096;
/** Past the excerpt, up to this much more is read and discarded to keep the connection alive; beyond, it is destroyed. */
const DRAIN_LIMIT_BYTES = 64 * 1024;
const DEFAULT_CONNECTIONS = 64;

/**
 * POSTs webhooks over undici: one keep-alive pool per origin, no redirects followed, a response
 * excerpt of 4 KiB, and SSRF checks on the address actually connected to. Never throws from post().
 */
export class HttpDeliveryClient {
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly tunnel?: ProxyTunnel;

  constructor(options: HttpDeliveryOptions) {
    this.timeoutMs = options.timeoutMs;
    const policy = { connectTimeoutMs: options.timeoutMs, allowPrivateNetworks: options.allowPrivateNetworks, lookup: options.lookup };
    if (options.proxyUrl) this.tunnel = proxyTunnel({ ...policy, proxyUrl: options.proxyUrl });
    this.agent = new Agent({
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      pipelining: 1,
      connect: this.tunnel?.connect ?? guardedConnector(policy),
    });
  }

  async post(url: string, body: string, headers: Record<string, string>): Promise<AttemptOutcome> {
    const startedAt = performance.now();
    const target = parseTarget(url);
    if (typeof target === 'string') return failed(target, startedAt);

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let drainingUnderTimer = false;
    try {
      const request = this.agent.request({
        origin: target.origin,
        path: target.pathname + target.search,
        method: 'POST',
        headers,
        body,
        signal: controller.signal,
      });
      const response = await Promise.race([request, rejectOnAbort(controller.signal)]);
      const outcome: AttemptOutcome = { statusCode: response.statusCode, error: null, durationMs: 0, responseBody: '', responseHeaders: flattenHeaders(response.headers) };
      try {
        const excerpt = await readExcerpt(response.body, RESPONSE_EXCERPT_BYTES);
        outcome.responseBody = excerpt.text;
        if (!excerpt.complete) {
          // The timer stays armed so a receiver trickling the rest cannot hold the connection past the deadline.
          drainingUnderTimer = true;
          const disarm = () => clearTimeout(timer);
          response.body.dump({ limit: RESPONSE_EXCERPT_BYTES + DRAIN_LIMIT_BYTES }).then(disarm, disarm);
        }
      } catch (error) {
        outcome.error = this.describe(error, controller.signal, target.hostname);
      }
      outcome.durationMs = elapsedMs(startedAt);
      return outcome;
    } catch (error) {
      return failed(this.describe(error, controller.signal, target.hostname), startedAt);
    } finally {
      if (!drainingUnderTimer) clearTimeout(timer);
    }
  }

  /** Lets requests in flight finish for up to one timeout, then destroys every connection. */
  async close(): Promise<void> {
    if (this.agent.destroyed) return;
    let grace: NodeJS.Timeout | undefined;
    const graceEnded = new Promise<void>((resolve) => (grace = setTimeout(resolve, this.timeoutMs)));
    await Promise.race([this.agent.closed ? graceEnded : this.agent.close(), graceEnded]);
    clearTimeout(grace);
    if (!this.agent.destroyed) await this.agent.destroy();
    await this.tunnel?.close();
  }

  /** Nest lifecycle hook, so a provider built with useFactory is closed with the application. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private describe(error: unknown, signal: AbortSignal, host: string): string {
    return signal.aborted ? `timeout after ${this.timeoutMs}ms` : describeDeliveryError(error, host, this.timeoutMs);
  }
}

/**
 * undici only notices an abort once a queued request reaches a connection, which can be later than
 * the deadline when the pool is busy or connecting; racing the signal keeps post() within timeoutMs.
 */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  const aborted = new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  aborted.catch(() => undefined);
  return aborted;
}

function parseTarget(url: string): URL | string {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return 'invalid url';
  }
  return target.protocol === 'http:' || target.protocol === 'https:' ? target : `unsupported url scheme ${target.protocol}`;
}

function failed(error: string, startedAt: number): AttemptOutcome {
  return { statusCode: null, error, durationMs: elapsedMs(startedAt), responseBody: '', responseHeaders: {} };
}

function elapsedMs(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}
