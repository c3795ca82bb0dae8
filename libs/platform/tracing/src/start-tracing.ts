import type { TracingEnv } from './tracing-settings';
import type * as TracingSdkModule from './tracing-sdk';
import { tracingWanted } from './tracing-settings';

interface RunningSdk {
  shutdown(): Promise<void>;
}

let running: RunningSdk | null = null;

/**
 * Starts the OpenTelemetry SDK when an OTLP endpoint is configured; otherwise does nothing and loads
 * nothing (the SDK module is required here, not imported at the top). Must run before the modules
 * it instruments (node:http, pg, ioredis) are required, so each app's main.ts imports its
 * `tracing` bootstrap first. True when it started.
 */
export function startTracing(defaultServiceName: string, env: TracingEnv = process.env): boolean {
  if (running || !tracingWanted(env)) return running !== null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createTracingSdk } = require('./tracing-sdk') as typeof TracingSdkModule;
  const sdk = createTracingSdk(defaultServiceName, env);
  sdk.start();
  running = sdk;
  return true;
}

export function tracingStarted(): boolean {
  return running !== null;
}

/** Exports the spans still buffered and stops the SDK; a no-op when tracing is off. */
export async function shutdownTracing(): Promise<void> {
  const sdk = running;
  running = null;
  await sdk?.shutdown().catch((error: unknown) => console.error(`tracing shutdown: ${(error as Error).message}`));
}

/**
 * A provider for the app's root module: Nest calls it on a graceful stop (SIGTERM), after every
 * module's destroy hook (the worker's jobs in hand are done by then), so their spans are exported.
 */
export class TracingShutdown {
  onApplicationShutdown(): Promise<void> {
    return shutdownTracing();
  }
}
