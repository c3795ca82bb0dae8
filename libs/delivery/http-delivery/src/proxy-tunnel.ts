import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction, Socket } from 'node:net';
import { isIPv6 } from 'node:net';
import type { Dispatcher } from 'undici';
import { buildConnector, Pool } from 'undici';
import { ProxyError } from './delivery-errors';
import { guardedLookup } from './guarded-connector';

export interface ProxyTunnelOptions {
  /** `http://host:port`, optionally with `user:password@` (sent as Basic Proxy-Authorization). */
  proxyUrl: string;
  /** Bounds the TCP connect to the proxy, the proxy's answer to CONNECT, and the TLS handshake. */
  connectTimeoutMs: number;
  allowPrivateNetworks: boolean;
  /** Resolver for destinations; node:dns lookup unless a test supplies its own. */
  lookup?: LookupFunction;
}

export interface ProxyTunnel {
  connect: buildConnector.connector;
  close(): Promise<void>;
}

/**
 * An undici connector that reaches every destination through an HTTP CONNECT proxy, so receivers
 * see only the proxy's addresses. The worker resolves the destination itself and applies the SSRF
 * policy to the answers before anything is sent to the proxy, then asks the proxy to CONNECT to
 * that checked IP address, never to the name: a proxy resolving the name again could get another
 * answer (DNS rebinding). TLS then runs inside the tunnel with the name as SNI and as the identity
 * the certificate must match, and the Host header keeps the name, so the receiver cannot tell.
 * The check happens for every tunnel opened; a kept-alive tunnel stays bound to its checked address.
 */
export function proxyTunnel({ proxyUrl, connectTimeoutMs, allowPrivateNetworks, lookup = dnsLookup as LookupFunction }: ProxyTunnelOptions): ProxyTunnel {
  const proxy = new URL(proxyUrl);
  const authorization = proxy.username ? `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}` : undefined;
  // Each CONNECT takes its socket over, so the pool opens one connection to the proxy per tunnel.
  const proxyPool = new Pool(proxy.origin, { connect: buildConnector({ timeout: connectTimeoutMs }), headersTimeout: connectTimeoutMs });
  const tls = buildConnector({ timeout: connectTimeoutMs });
  const resolve = resolver(allowPrivateNetworks ? lookup : guardedLookup(lookup));

  const connect: buildConnector.connector = (options, callback) => {
    const hostname = options.hostname.replace(/^\[|\]$/g, '');
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    const tunnel = async () => {
      let refused: Error | undefined;
      // In resolver order; the next address only when the proxy could not reach this one.
      for (const { address } of await resolve(hostname)) {
        const target = `${isIPv6(address) ? `[${address}]` : address}:${port}`;
        const headers: Record<string, string> = { host: target };
        if (authorization) headers['proxy-authorization'] = authorization;
        let answer: Dispatcher.ConnectData;
        try {
          answer = await proxyPool.connect({ path: target, headers });
        } catch (error) {
          throw new ProxyError(`proxy unreachable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
        }
        // The upgraded connection to the proxy: a net.Socket, typed as a Duplex by undici.
        if (answer.statusCode === 200) return answer.socket as Socket;
        answer.socket.destroy();
        refused = new ProxyError(`proxy refused the tunnel to ${target} (${answer.statusCode})`);
      }
      throw refused ?? Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
    };
    tunnel().then(
      (socket) => (options.protocol === 'https:' ? tls({ ...options, httpSocket: socket }, callback) : callback(null, socket)),
      (error: Error) => callback(error, null),
    );
  };
  return { connect, close: () => proxyPool.destroy() };
}

function resolver(lookup: LookupFunction): (hostname: string) => Promise<LookupAddress[]> {
  return (hostname) => new Promise((resolve, reject) => lookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses as LookupAddress[]))));
}
