import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { BulkJobFormat } from '@hookline/database';
import { ProblemException } from '@hookline/http-problem';

const FORMATS: Record<string, BulkJobFormat> = {
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'text/csv': 'csv',
};

/** The upload's format from its content-type (docs/contract.md#bulk-ingestion), or 415. */
export function uploadFormat(contentType: string | undefined): BulkJobFormat {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const format = FORMATS[mediaType];
  if (!format) {
    throw new ProblemException(415, 'Upload a bulk job as application/x-ndjson or text/csv', [
      { field: 'content-type', message: contentType ? `${mediaType} is not supported` : 'is required' },
    ]);
  }
  return format;
}

/**
 * The request body as a byte stream, gunzipped when sent with `content-encoding: gzip`: the raw
 * request, which no body parser has read (uploads are not buffered, whatever their size).
 */
export function uploadBody(request: IncomingMessage): Readable {
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return request;
  if (encoding !== 'gzip') {
    throw new ProblemException(415, `content-encoding ${encoding} is not supported (use gzip or none)`, [{ field: 'content-encoding', message: 'unsupported' }]);
  }
  const gunzip = createGunzip();
  request.on('error', (error) => gunzip.destroy(error));
  // The body starts flowing before it is read (the job row is written first); an error kept in
  // the stream is thrown to whoever reads it, so this listener only keeps it from crashing the process.
  gunzip.on('error', () => undefined);
  return request.pipe(gunzip);
}

/** A corrupt or truncated gzip body is the client's fault: 400 rather than 500. */
export function asUploadError(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new ProblemException(400, `Request body is not valid gzip: ${(error as Error).message}`, [{ field: 'body', message: 'invalid gzip' }]);
  }
  return error;
}
