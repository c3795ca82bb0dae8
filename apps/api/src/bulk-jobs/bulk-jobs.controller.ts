import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { BulkJobsService, BulkUploadService } from '@hookline/bulk-jobs';
import { ProblemException } from '@hookline/http-problem';
import { PageQueryDto } from '@hookline/pagination';
import { BulkJobCreateQueryDto } from './dto/bulk-job.dto';
import { asUploadError, uploadBody, uploadFormat } from './upload-body';

@ApiTags('bulk-jobs')
@Controller('v1/tenants/:tenantId/bulk-jobs')
export class BulkJobsController {
  constructor(
    private readonly uploads: BulkUploadService,
    private readonly jobs: BulkJobsService,
  ) {}

  /**
   * Streams an NDJSON (`{ type, data, idempotencyKey? }` per line) or CSV (`?type=`, a header
   * row, an optional `idempotency_key` column) upload into a job; 202 once the whole file is read.
   */
  @Post()
  @HttpCode(202)
  @ApiConsumes('application/x-ndjson', 'text/csv')
  @ApiBody({
    description: 'The file: NDJSON lines `{ type, data, idempotencyKey? }`, or CSV with a header row (optionally gzip-encoded)',
    schema: { type: 'string', format: 'binary' },
  })
  async create(@Param('tenantId') tenantId: string, @Query() query: BulkJobCreateQueryDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const format = uploadFormat(request.headers['content-type']);
    if (format === 'csv' && !query.type) throw ProblemException.invalid('type', 'is required for a text/csv upload');
    if (format === 'ndjson' && query.type) throw ProblemException.invalid('type', 'applies to text/csv uploads only; NDJSON rows carry their own type');
    const job = await this.uploads.ingest(tenantId, { format, eventType: query.type }, uploadBody(request.raw)).catch((error: unknown) => {
      throw asUploadError(error);
    });
    reply.header('Location', `/v1/tenants/${tenantId}/bulk-jobs/${job.id}`);
    return job;
  }

  /** Newest first. */
  @Get()
  list(@Param('tenantId') tenantId: string, @Query() query: PageQueryDto) {
    return this.jobs.list(tenantId, query.limit, query.cursor);
  }

  @Get(':jobId')
  get(@Param('tenantId') tenantId: string, @Param('jobId') jobId: string) {
    return this.jobs.get(tenantId, jobId);
  }

  /** NDJSON, one `{ line, error }` per bad row, in line order. */
  @Get(':jobId/errors')
  @ApiProduces('application/x-ndjson')
  async errors(@Param('tenantId') tenantId: string, @Param('jobId') jobId: string, @Res() reply: FastifyReply) {
    const lines = await this.jobs.errors(tenantId, jobId);
    // Fastify pipes the stream and, if reading it fails midway, destroys the response.
    await reply.status(200).type('application/x-ndjson').send(Readable.from(lines));
  }
}
