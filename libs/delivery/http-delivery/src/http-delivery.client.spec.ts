import type { LookupFunction } from 'node:net';
import { createServer } from 'node:net';
import { HttpDeliveryClient } from './http-delivery.client';
import type { TestReceiver } from './test-receiver';
import { startTestReceiver } from './test-receiver';

describe('HttpDeliveryClient against a receiver on 127.0.0.1', () => {
  let receiver: TestReceiver | undefined;
  let client: HttpDeliveryClient;

  beforeEach(() => {
    client = new HttpDeliveryClient({ timeoutMs: 2_000, allowPrivateNetworks: true, connections: 1 });
  });

  afterEach(async () => {
    await client.close();
    await receiver?.close();
    receiver = undefined;
  });

  it('returns a 2xx with its body and headers', async () => {
    receiver = await startTestReceiver((_req, res) => res.writeHead(201, { 'x-receiver': 'yes' }).end('ok'));
    const outcome = await client.post(`${receiver.url}/hook`, '{}', { 'content-type': 'application/json' });
    expect(outcome).toMatchObject({ statusCode: 201, error: null, responseBody: 'ok' });
    expect(outcome.responseHeaders['x-receiver']).toBe('yes');
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('delivers headers and body byte for byte', async () => {
    receiver = await startTestReceiver((_req, res) => res.end());
    const body = '{"id":"evt_1","data":{"note":"ünïcode ✓","n":1}}';
    const headers = { 'content-type': 'application/json', 'webhook-id': 'evt_1', 'webhook-signature': 'v1,abc= v1,def=', 'x-custom': 'A b' };
    await client.post(`${receiver.url}/hooks/a?x=1&y=%20`, body, headers);

    const [request] = receiver.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hooks/a?x=1&y=%20');
    expect(request.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
    const sent = pairs(request.rawHeaders);
    for (const [name, value] of Object.entries(headers)) expect(sent).toContainEqual([name, value]);
    expect(sent).toContainEqual(['content-length', String(Buffer.byteLength(body))]);
  });

  it('returns a 500 as a status, not an error', async () => {
    receiver = await startTestReceiver((_req, res) => res.writeHead(500).end('oops'));
    expect(await client.post(receiver.url, '{}', {})).toMatchObject({ statusCode: 500, error: null, responseBody: 'oops' });
  });

  it('does not follow a redirect', async () => {
    receiver = await startTestReceiver((_req, res) => res.writeHead(301, { location: '/elsewhere' }).end());
    const outcome = await client.post(`${receiver.url}/hook`, '{}', {});
    expect(outcome.statusCode).toBe(301);
    expect(outcome.responseHeaders.location).toBe('/elsewhere');
    expect(receiver.requests.map((r) => r.url)).toEqual(['/hook']);
  });

  it('keeps 4 KiB of a 1 MB response and leaves the connection usable', async () => {
    const big = Buffer.alloc(1024 * 1024, 'a');
    receiver = await startTestReceiver((req, res) => (req.url === '/big' ? res.end(big) : res.end('second')));
    const first = await client.post(`${receiver.url}/big`, '{}', {});
    expect(first.responseBody).toBe('a'.repeat(4096));
    // One connection per origin: a wedged connection would make this time out.
    expect(await client.post(`${receiver.url}/next`, '{}', {})).toMatchObject({ statusCode: 200, error: null, responseBody: 'second' });
  });

  it('stops reading an endless response instead of buffering it', async () => {
    let closed = false;
    receiver = await startTestReceiver((_req, res) => {
      res.on('close', () => (closed = true));
      const chunk = Buffer.alloc(64 * 1024, 'z');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const outcome = await client.post(receiver.url, '{}', {});
    expect(outcome).toMatchObject({ statusCode: 200, error: null, responseBody: 'z'.repeat(4096) });
    await waitFor(() => closed);
  });

  it('drains a slightly-too-long response so the keep-alive connection is reused', async () => {
    // The rest arrives after the excerpt is read, so it must be drained, not just left in a buffer.
    receiver = await startTestReceiver((_req, res) => {
      res.write(Buffer.alloc(5 * 1024, 'b'));
      setTimeout(() => res.end(Buffer.alloc(5 * 1024, 'c')), 50);
    });
    await client.post(receiver.url, '{}', {});
    const second = await client.post(receiver.url, '{}', {});
    expect(second.statusCode).toBe(200);
    expect(receiver.connections()).toBe(1);
  });

  it('closes a connection whose unread rest trickles past the timeout', async () => {
    const quick = new HttpDeliveryClient({ timeoutMs: 300, allowPrivateNetworks: true });
    let closedAt = 0;
    receiver = await startTestReceiver((_req, res) => {
      res.write(Buffer.alloc(5 * 1024, 't'));
      const trickle = setInterval(() => res.write('.'), 20);
      res.on('close', () => {
        clearInterval(trickle);
        closedAt = Date.now();
      });
    });
    const startedAt = Date.now();
    const outcome = await quick.post(receiver.url, '{}', {});
    expect(outcome).toMatchObject({ statusCode: 200, error: null });
    await waitFor(() => closedAt > 0);
    expect(closedAt - startedAt).toBeLessThan(1_500);
    await quick.close();
  });

  it('does not end the excerpt in half a character', async () => {
    receiver = await startTestReceiver((_req, res) => res.end(`x${'é'.repeat(3000)}`));
    const { responseBody } = await client.post(receiver.url, '{}', {});
    expect(responseBody).toBe(`x${'é'.repeat(2047)}`);
  });

  it('gives up on a receiver that never answers, within about the timeout', async () => {
    const quick = new HttpDeliveryClient({ timeoutMs: 300, allowPrivateNetworks: true });
    receiver = await startTestReceiver(() => undefined);
    const outcome = await quick.post(receiver.url, '{}', {});
    await quick.close();
    expect(outcome).toMatchObject({ statusCode: null, error: 'timeout after 300ms' });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(290);
    expect(outcome.durationMs).toBeLessThan(1_500);
  });

  it('keeps to its deadline while queued behind a busy connection and a slow reconnect', async () => {
    receiver = await startTestReceiver(() => undefined);
    let lookups = 0;
    // The first connection is quick; the one opened for the queued request resolves slowly.
    const slowAfterFirst: LookupFunction = (_host, options, callback) =>
      setTimeout(() => (options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4)), lookups++ === 0 ? 0 : 1_000);
    const quick = new HttpDeliveryClient({ timeoutMs: 300, allowPrivateNetworks: true, connections: 1, lookup: slowAfterFirst });
    const url = `http://receiver.test:${receiver.port}/`;
    const first = quick.post(url, '{}', {});
    await new Promise((resolve) => setTimeout(resolve, 150));
    const queued = await quick.post(url, '{}', {});
    await first;
    await quick.close();
    expect(queued.error).toBe('timeout after 300ms');
    expect(queued.durationMs).toBeLessThan(400);
  });

  it('reports a timeout, with the status, when the body stalls after the headers', async () => {
    const quick = new HttpDeliveryClient({ timeoutMs: 300, allowPrivateNetworks: true });
    receiver = await startTestReceiver((_req, res) => res.writeHead(200).write('partial'));
    const outcome = await quick.post(receiver.url, '{}', {});
    await quick.close();
    expect(outcome).toMatchObject({ statusCode: 200, error: 'timeout after 300ms' });
  });

  it('reports a refused connection', async () => {
    const port = await closedPort();
    expect(await client.post(`http://127.0.0.1:${port}/`, '{}', {})).toMatchObject({ statusCode: null, error: 'connection refused' });
  });

  it('reports a receiver that hangs up without answering', async () => {
    receiver = await startTestReceiver((req) => req.socket.destroy());
    const { error } = await client.post(receiver.url, '{}', {});
    expect(error).toMatch(/^connection (closed by receiver|reset)$/);
  });

  it('reports a TLS failure against a plain HTTP port', async () => {
    receiver = await startTestReceiver((_req, res) => res.end());
    const { error } = await client.post(`https://127.0.0.1:${receiver.port}/`, '{}', {});
    expect(error).toMatch(/^tls error: \S+$/);
  });

  it.each([
    ['not a url', 'invalid url'],
    ['ftp://127.0.0.1/x', 'unsupported url scheme ftp:'],
  ])('refuses %p without a request', async (url, error) => {
    expect(await client.post(url, '{}', {})).toMatchObject({ statusCode: null, error });
  });
});

function pairs(rawHeaders: string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) result.push([rawHeaders[i], rawHeaders[i + 1]]);
  return result;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
