import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:https';
import { createServer as createHttpsServer } from 'node:https';
import type { LookupFunction } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProxy } from '../../../../test/support';
import { startTestProxy } from '../../../../test/support';
import { HttpDeliveryClient } from './http-delivery.client';
import type { TestReceiver } from './test-receiver';
import { startTestReceiver } from './test-receiver';

/** HttpDeliveryClient with a proxy: a real tinyproxy between it and a receiver on 127.0.0.1. */

/** Answers every name with these addresses, in this order. */
const answers =
  (addresses: string[]): LookupFunction =>
  (_host, _options, callback) =>
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

describe('HttpDeliveryClient through an HTTP CONNECT proxy', () => {
  let receiver: TestReceiver;
  let proxy: TestProxy;
  let client: HttpDeliveryClient | undefined;
  const via = (overrides: Partial<ConstructorParameters<typeof HttpDeliveryClient>[0]> = {}) =>
    (client = new HttpDeliveryClient({ timeoutMs: 2_000, allowPrivateNetworks: true, proxyUrl: proxy.url, ...overrides }));

  beforeAll(async () => {
    receiver = await startTestReceiver((req, res) => (req.url === '/hang' ? undefined : res.end('ok')));
    proxy = await startTestProxy({ connectPorts: [receiver.port] });
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
  });
  afterAll(async () => {
    await receiver?.close();
    await proxy?.close();
  });

  it('tries the next resolved address when the proxy cannot reach the first', async () => {
    const outcome = await via({ lookup: answers(['::1', '127.0.0.1']) }).post(`http://receiver.test:${receiver.port}/next`, '{}', {});
    expect(outcome).toMatchObject({ statusCode: 200, error: null, responseBody: 'ok' });
    const log = proxy.log();
    expect(log.indexOf(`CONNECT [::1]:${receiver.port} HTTP/1.1`)).toBeGreaterThan(-1);
    expect(log.indexOf(`CONNECT 127.0.0.1:${receiver.port} HTTP/1.1`)).toBeGreaterThan(log.indexOf(`CONNECT [::1]:${receiver.port}`));
  });

  it('keeps the whole-request timeout', async () => {
    const outcome = await via({ timeoutMs: 300 }).post(`${receiver.url}/hang`, '{}', {});
    expect(outcome).toMatchObject({ statusCode: null, error: 'timeout after 300ms' });
  });

  it('names a proxy that refuses the tunnel', async () => {
    const port = await closedPort();
    const outcome = await via().post(`http://127.0.0.1:${port}/`, '{}', {});
    expect(outcome).toMatchObject({ statusCode: null, error: `proxy refused the tunnel to 127.0.0.1:${port} (403)` });
  });

  it('names a proxy that cannot be reached', async () => {
    const outcome = await via({ proxyUrl: `http://127.0.0.1:${await closedPort()}` }).post(`${receiver.url}/`, '{}', {});
    expect(outcome).toMatchObject({ statusCode: null, error: 'proxy unreachable: ECONNREFUSED' });
  });

  it('refuses a private destination without a word to the proxy when private networks are not allowed', async () => {
    const before = proxy.log().length;
    const outcome = await via({ allowPrivateNetworks: false, lookup: answers(['10.1.2.3']) }).post('http://internal.test/', '{}', {});
    expect(outcome).toMatchObject({ statusCode: null, error: 'blocked address 10.1.2.3 (private)' });
    expect(proxy.log().slice(before)).not.toContain('CONNECT');
  });

  it('sends user:password from the proxy URL as Basic Proxy-Authorization', async () => {
    const guarded = await startTestProxy({ connectPorts: [receiver.port], basicAuth: { user: 'egress', password: 's3cret' } });
    try {
      const authorised = new URL(guarded.url);
      authorised.username = 'egress';
      authorised.password = 's3cret';
      expect(await via({ proxyUrl: authorised.toString() }).post(`${receiver.url}/auth`, '{}', {})).toMatchObject({ statusCode: 200, error: null });
      await client?.close();
      expect(await via({ proxyUrl: guarded.url }).post(`${receiver.url}/auth`, '{}', {})).toMatchObject({
        statusCode: null,
        error: `proxy refused the tunnel to 127.0.0.1:${receiver.port} (407)`,
      });
    } finally {
      await guarded.close();
    }
  });

  describe('to an https receiver', () => {
    let dir: string;
    let server: Server;
    let port: number;
    const serverNames: string[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hookline-tls-'));
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=receiver.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
        { stdio: 'ignore' },
      );
      server = createHttpsServer(
        { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), SNICallback: (name, done) => (serverNames.push(name), done(null)) },
        (_req, res) => res.end('tls'),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => server?.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    });

    it('tunnels to the resolved address and speaks TLS inside it for the name (SNI, certificate check)', async () => {
      const tlsProxy = await startTestProxy({ connectPorts: [port] });
      try {
        const outcome = await via({ proxyUrl: tlsProxy.url, lookup: answers(['127.0.0.1']) }).post(`https://receiver.test:${port}/`, '{}', {});
        // The certificate is self-signed: verified, and refused, as it would be without a proxy.
        expect(outcome).toMatchObject({ statusCode: null, error: expect.stringMatching(/^tls error: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/) });
        expect(serverNames).toEqual(['receiver.test']);
        expect(tlsProxy.log()).toContain(`CONNECT 127.0.0.1:${port} HTTP/1.1`);
      } finally {
        await tlsProxy.close();
      }
    });
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
