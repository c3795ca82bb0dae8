import { PrismaService } from '@hookline/database';
import type { TestStack } from '../../../../test/support';

/** Shared by the bulk-job e2e files (test support: no jest globals, it is compiled with the app). */

/**
 * Test stacks share one Postgres, so a stack's sweepers would take other stacks' deliveries and
 * chunks as "missing from Redis". These stacks do not sweep, so they never act on others' rows.
 */
export const NO_SWEEPER = { SWEEP_INTERVAL_MS: '600000' };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface BulkJob {
  id: string;
  status: 'queued' | 'processing' | 'completed' | 'completed_with_errors' | 'failed';
  totalRows: number;
  acceptedRows: number;
  failedRows: number;
  createdAt: string;
  completedAt: string | null;
}

const FINISHED = new Set(['completed', 'completed_with_errors', 'failed']);

export function jobsPath(stack: TestStack, tenantId = stack.tenantId): string {
  return `/v1/tenants/${tenantId}/bulk-jobs`;
}

export function ndjson(rows: unknown[]): string {
  return rows.map((row) => (typeof row === 'string' ? row : JSON.stringify(row))).join('\n') + '\n';
}

export async function upload(stack: TestStack, body: string | Buffer, contentType: string, query = '', expectStatus = 202): Promise<BulkJob> {
  const response = await stack.api.http
    .post(`${jobsPath(stack)}${query}`)
    .set(stack.api.auth())
    .set('content-type', contentType)
    .send(body)
    .expect(expectStatus);
  return response.body;
}

/** Polls the job until it has finished; fails with the last state seen. */
export async function waitForJob(stack: TestStack, jobId: string, { timeoutMs = 20_000, tenantId = stack.tenantId } = {}): Promise<BulkJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job: BulkJob = (
      await stack.api.http
        .get(`${jobsPath(stack, tenantId)}/${jobId}`)
        .set(stack.api.auth())
        .expect(200)
    ).body;
    if (FINISHED.has(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`bulk job ${jobId} did not finish: ${JSON.stringify(job)}`);
    await sleep(50);
  }
}

export async function jobErrors(stack: TestStack, jobId: string): Promise<{ line: number; error: string }[]> {
  const response = await stack.api.http
    .get(`${jobsPath(stack)}/${jobId}/errors`)
    .set(stack.api.auth())
    .buffer(true)
    .parse(textParser as never)
    .expect(200);
  const type = String(response.headers['content-type']);
  if (!type.startsWith('application/x-ndjson')) throw new Error(`errors came as ${type}, not application/x-ndjson`);
  const text = response.body as string;
  return text === ''
    ? []
    : text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
}

/** supertest parser that keeps the body as text, whatever the content-type. */
export function textParser(response: NodeJS.ReadableStream, callback: (error: Error | null, body: string) => void) {
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => (text += chunk));
  response.on('end', () => callback(null, text));
}

export function db(stack: TestStack): PrismaService {
  return stack.api.app.get(PrismaService);
}

export async function count(stack: TestStack, sql: string, ...params: unknown[]): Promise<number> {
  const [row] = await db(stack).$queryRawUnsafe<{ n: bigint }[]>(sql, ...params);
  return Number(row.n);
}
