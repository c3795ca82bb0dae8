import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TINYPROXY_BIN = '/usr/bin/tinyproxy';

export interface TestProxy {
  /** `http://127.0.0.1:<port>`, for EGRESS_PROXY_URL. */
  url: string;
  /** Everything tinyproxy logged so far (a `Request (file descriptor n): CONNECT host:port` line per tunnel). */
  log(): string;
  close(): Promise<void>;
}

export interface TestProxyOptions {
  /** Ports CONNECT may reach (tinyproxy refuses the others with 403). */
  connectPorts: number[];
  /** The proxy's outgoing address, so a receiver can tell proxied connections (e.g. 127.0.0.2) from direct ones. */
  bind?: string;
  /** Require `Proxy-Authorization: Basic` with this user and password (tinyproxy answers 407 otherwise). */
  basicAuth?: { user: string; password: string };
}

/** A real HTTP CONNECT proxy (Debian's tinyproxy) on 127.0.0.1 and a free port, in the foreground, its config in a temp dir. */
export async function startTestProxy({ connectPorts, bind, basicAuth }: TestProxyOptions): Promise<TestProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-proxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const config = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    ...(bind ? [`Bind ${bind}`] : []),
    ...(basicAuth ? [`BasicAuth ${basicAuth.user} ${basicAuth.password}`] : []),
    'Timeout 30',
    'MaxClients 100',
    'Allow 127.0.0.1',
    ...connectPorts.map((p) => `ConnectPort ${p}`),
    'LogLevel Info',
    `LogFile "${logFile}"`,
  ];
  writeFileSync(join(dir, 'tinyproxy.conf'), `${config.join('\n')}\n`);
  writeFileSync(logFile, '');
  const child: ChildProcess = spawn(TINYPROXY_BIN, ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => readFileSync(logFile, 'utf8');
  const deadline = Date.now() + 10_000;
  while (!log().includes('Accepting connections')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`tinyproxy did not start:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
