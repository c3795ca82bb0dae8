/**
 * The bench's webhook receiver, run as its own process (forked by receiver-client.ts): answers 200
 * at once, or never for paths under HANG_PREFIX, and records one small tuple per request. It does
 * no parsing or verification so that it is not what limits the figures.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clock } from './clock';
import type { DrainResponse, ReceivedRecord, ReceiverReady } from './receiver-protocol';
import { CONTROL_PREFIX, HANG_PREFIX } from './receiver-protocol';

let records: ReceivedRecord[] = [];
let connections = 0;
let hanging = 0;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const arrivedAt = clock();
  const path = req.url ?? '/';
  if (path.startsWith(CONTROL_PREFIX)) return control(path, res);
  const h = req.headers;
  records.push([arrivedAt, header(h['webhook-id']), header(h['x-hookline-delivery']), Number(h['x-hookline-attempt'] ?? 0), path]);
  req.resume();
  if (path.startsWith(HANG_PREFIX)) {
    hanging++;
    res.once('close', () => hanging--);
    return;
  }
  req.once('end', () => {
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
}

function control(path: string, res: ServerResponse): void {
  let body: string;
  if (path.startsWith(`${CONTROL_PREFIX}now`)) body = String(clock());
  else if (path.startsWith(`${CONTROL_PREFIX}drain`)) {
    const drained: DrainResponse = { records, connections, hanging };
    records = [];
    body = JSON.stringify(drained);
  } else {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function header(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value[0] : (value ?? '');
}

function listen(): Promise<Server> {
  const server = createServer({ keepAlive: true }, handle);
  // Longer than any pause between scenarios, so pooled connections are not closed under the sender.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  server.requestTimeout = 0;
  server.on('connection', () => connections++);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const servers = await Promise.all([listen(), listen()]);
  const ports = servers.map((s) => (s.address() as AddressInfo).port) as [number, number];
  const ready: ReceiverReady = { type: 'ready', ports };
  if (!process.send) {
    console.log(`bench receiver listening on ${ports.join(', ')}`);
    return;
  }
  process.send(ready);
  // The bench is the only user: when it goes, so does the receiver.
  process.on('disconnect', () => process.exit(0));
}

void main();
