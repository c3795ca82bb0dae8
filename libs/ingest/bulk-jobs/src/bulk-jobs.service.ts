import { Injectable } from '@nestjs/common';
import { ProblemException } from '@hookline/http-problem';
import { Page, toPage } from '@hookline/pagination';
import { BulkJobView, bulkJobView } from './bulk-job-views';
import { BulkJobsRepository } from './bulk-jobs.repository';

const ERRORS_PAGE = 1_000;

/** Reading bulk jobs: their status and counters, and their bad rows as an NDJSON stream. */
@Injectable()
export class BulkJobsService {
  constructor(private readonly jobs: BulkJobsRepository) {}

  async list(tenantId: string, limit: number, cursor?: string): Promise<Page<BulkJobView>> {
    return toPage(await this.jobs.listPage(tenantId, limit, cursor), limit, bulkJobView);
  }

  async get(tenantId: string, jobId: string): Promise<BulkJobView> {
    const job = await this.jobs.find(tenantId, jobId);
    if (!job) throw ProblemException.notFound('Bulk job');
    return bulkJobView(job);
  }

  /**
   * `{ line, error }` lines in line order, read page by page: the caller pulls, so a slow client
   * holds one page at most, however many errors the job has. Checks the job before yielding
   * anything, so a wrong id is a 404 rather than an empty stream.
   */
  async errors(tenantId: string, jobId: string): Promise<AsyncIterable<string>> {
    await this.get(tenantId, jobId);
    const jobs = this.jobs;
    return (async function* () {
      for (let after = 0; ;) {
        const page = await jobs.errorsAfter(jobId, after, ERRORS_PAGE);
        if (page.length > 0) yield page.map((e) => `${JSON.stringify({ line: e.line, error: e.error })}\n`).join('');
        if (page.length < ERRORS_PAGE) return;
        after = page[page.length - 1].line;
      }
    })();
  }
}
