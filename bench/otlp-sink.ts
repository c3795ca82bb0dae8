import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Where the Hookline processes export their traces when the bench runs with BENCH_TRACING=1: an
 * OTLP/HTTP endpoint on loopback that answers 200 to every export and counts what it received, so
 * the run measures what tracing costs the processes, not what a collector costs.
 */
export interface OtlpSink {
  url: string;
  received(): { exports: number; bytes: number };
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  let exports = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      exports += 1;
      response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => ({ exports, bytes }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
