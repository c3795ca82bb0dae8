import type { BulkJobFormat, BulkJobStatus } from '@hookline/database';

/** docs/contract.md#bulk-ingestion: `GET /v1/tenants/{tenantId}/bulk-jobs/{jobId}`. */
export interface BulkJobView {
  id: string;
  status: BulkJobStatus;
  totalRows: number;
  acceptedRows: number;
  failedRows: number;
  createdAt: Date;
  completedAt: Date | null;
}

export interface BulkUpload {
  format: BulkJobFormat;
  /** CSV only: the type of every row's event. */
  eventType?: string;
}

/** One line of `GET …/errors`. */
export interface BulkJobErrorView {
  line: number;
  error: string;
}

/** The largest chunk, the unit of processing and retry: 10,000 rows (docs/contract.md#bulk-ingestion)… */
export const CHUNK_ROWS = 10_000;
/** …or fewer when rows are big, so a worker never holds more than this much of one chunk. */
export const CHUNK_MAX_BYTES = 16 * 1024 * 1024;
/**
 * Chunks are staged in parts of about this much text: strings and statements this small die young
 * in V8, where multi-megabyte ones would wait for a full GC and make the API's RSS swing by
 * hundreds of MB during a large upload.
 */
export const PART_BYTES = 64 * 1024;

export function bulkJobView(row: BulkJobView): BulkJobView {
  return {
    id: row.id,
    status: row.status,
    totalRows: row.totalRows,
    acceptedRows: row.acceptedRows,
    failedRows: row.failedRows,
    createdAt: row.createdAt,
    completedAt: row.completedAt,
  };
}
