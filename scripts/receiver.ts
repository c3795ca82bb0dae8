/**
 * `npm run receiver`: a webhook endpoint on 127.0.0.1 for trying Hookline locally. It prints each
 * request it gets, checks its signature the way a receiver should (the official `standardwebhooks`
 * library for `whsec_` secrets, Ed25519 for a `v1a` subscription's `whpk_` public key) and answers
 * with a fixed status, so retries can be tried with `--status 500`.
 *
 *   npm run receiver -- --port 4000 --secret whsec_... [--status 500]
 */
import type { KeyObject } from 'node:crypto';
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';

const USAGE = `Usage: npm run receiver -- [--port 4000] [--secret whsec_...|whpk_...] [--status 200]

  --port     port to listen on, on 127.0.0.1 (default 4000, or RECEIVER_PORT; 0 picks a free one)
  --secret   the subscription's signing secret (or RECEIVER_SECRET); for a v1a subscription its whpk_ public key
  --status   the status code to answer every request with (default 200); e.g. 500 to watch retries`;

const TOLERANCE_SECONDS = 5 * 60;
const EXCERPT_CHARS = 160;

interface Options {
  port: number;
  secret: string | undefined;
  status: number;
}

type Verifier = (body: Buffer, headers: IncomingHttpHeaders) => string | null;

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, secret: { type: 'string' }, status: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = wholeNumber('--port', values.port ?? process.env.RECEIVER_PORT ?? '4000', 0, 65535);
  const status = wholeNumber('--status', values.status ?? '200', 200, 599);
  return { port, status, secret: values.secret ?? (process.env.RECEIVER_SECRET || undefined) };
}

function wholeNumber(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max} (got "${text}")`);
  return value;
}

class UsageError extends Error {}

/** Returns why the signature is not valid, or null when it is. */
function verifierFor(secret: string): Verifier {
  if (secret.startsWith('whpk_')) return ed25519Verifier(publicKeyFrom(secret));
  if (!secret.startsWith('whsec_')) throw new UsageError("--secret must be the subscription's whsec_ secret (or, for v1a, its whpk_ public key)");
  const webhook = new Webhook(secret);
  return (body, headers) => {
    try {
      webhook.verify(body, signatureHeaders(headers));
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  };
}

function publicKeyFrom(whpk: string): KeyObject {
  const raw = Buffer.from(whpk.slice('whpk_'.length), 'base64');
  if (raw.length !== 32) throw new UsageError('--secret: a whpk_ public key is base64 of 32 bytes');
  // SPKI DER prefix for a raw Ed25519 public key.
  return createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
}

// The standardwebhooks library knows only the HMAC scheme (v1), so v1a is checked here.
function ed25519Verifier(key: KeyObject): Verifier {
  return (body, headers) => {
    const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures } = signatureHeaders(headers);
    if (!id || !timestamp || !signatures) return 'missing webhook-id, webhook-timestamp or webhook-signature';
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return 'timestamp too old or too new';
    const message = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]);
    const valid = signatures
      .split(' ')
      .filter((entry) => entry.startsWith('v1a,'))
      .some((entry) => verifySignature(null, message, key, Buffer.from(entry.slice(4), 'base64')));
    return valid ? null : 'no v1a signature matches';
  };
}

function signatureHeaders(headers: IncomingHttpHeaders): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const one = (name: string) => String(headers[name] ?? '');
  return { 'webhook-id': one('webhook-id'), 'webhook-timestamp': one('webhook-timestamp'), 'webhook-signature': one('webhook-signature') };
}

function summary(request: IncomingMessage, body: string, verdict: string, status: number): string {
  const h = request.headers;
  const time = new Date().toISOString().slice(11, 23);
  const excerpt = body.length > EXCERPT_CHARS ? `${body.slice(0, EXCERPT_CHARS)}…` : body;
  const what = h['webhook-id']
    ? `${h['webhook-id']} ${h['x-hookline-event'] ?? '?'} attempt ${h['x-hookline-attempt'] ?? '?'} (${h['x-hookline-delivery'] ?? 'no delivery id'})`
    : `${request.method} ${request.url} (not a Hookline delivery)`;
  return `${time}  ${what}  ${verdict}  → ${status}\n    ${excerpt}`;
}

function main() {
  const options = parseOptions(process.argv.slice(2));
  const verify = options.secret ? verifierFor(options.secret) : null;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // Verify the raw bytes: re-serialised JSON would not match the signature.
      const raw = Buffer.concat(chunks);
      let verdict = 'signature not checked (no --secret)';
      if (verify) {
        const problem = verify(raw, request.headers);
        verdict = problem === null ? 'signature ok' : `signature INVALID (${problem})`;
      }
      console.log(summary(request, raw.toString('utf8'), verdict, options.status));
      response.writeHead(options.status, { 'content-type': 'text/plain' }).end(options.status < 300 ? 'ok\n' : 'failing on purpose (--status)\n');
    });
  });

  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(error.code === 'EADDRINUSE' ? `Port ${options.port} is already in use: pick another with --port` : `Receiver failed: ${error.message}`);
    process.exit(1);
  });
  server.listen(options.port, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    const checking = options.secret ? `checking signatures with ${options.secret.slice(0, 10)}…` : 'not checking signatures (no --secret)';
    console.log(`Receiver listening on http://127.0.0.1:${port}/, ${checking}, answering ${options.status}`);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    });
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof UsageError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')) throw error;
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
