import type { ChildProcess } from 'node:child_process';
import { Client } from 'pg';

/**
 * What the benches that start a compiled API of their own (ingest, portal-log) and the delivery
 * bench's processes share: a free loopback port, readiness, a stop that cannot hang, and dropping
 * the throwaway database.
 */

// The same free-port probe the tests use to start a compiled API.
export { freePort } from '../test/support/api-process';

/** Resolves once `GET /readyz` answers 200; throws if the API exits first or 60 s pass. */
export async function waitForHealth(url: string, api: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (api.exitCode !== null) throw new Error(`the API exited with code ${api.exitCode}`);
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false, // not listening yet
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the API did not become ready within 60 s');
}

/** SIGTERM, and SIGKILL if the API has not exited 10 s later. */
export async function stopApi(api: ChildProcess): Promise<void> {
  if (api.exitCode !== null || api.signalCode !== null) return;
  const exited = new Promise((resolve) => api.once('exit', resolve));
  api.kill('SIGTERM');
  const timer = setTimeout(() => api.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Drops the bench's throwaway database (WITH (FORCE): connections a killed API left are closed). */
export async function dropDatabase(databaseUrl: URL): Promise<void> {
  const name = databaseUrl.pathname.slice(1);
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const pg = new Client({ connectionString: admin.toString() });
  await pg.connect();
  await pg.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch((error: Error) => console.error(`could not drop ${name}: ${error.message}`));
  await pg.end();
}
