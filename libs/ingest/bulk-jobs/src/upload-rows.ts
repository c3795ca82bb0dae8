import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { ProblemException } from '@hookline/http-problem';

/**
 * One row of an upload as the API stages it: the row as one NDJSON line (`{ type, data,
 * idempotencyKey? }`, never containing a newline), or why it cannot be used. `line` is where the
 * row starts in the uploaded file, 1-based, counting every physical line (a CSV header is line 1).
 */
export type UploadRow = { line: number; text: string; error?: undefined } | { line: number; error: string; text?: undefined };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits an NDJSON byte stream into lines without ever holding more than one line (at most
 * `maxLineBytes`) beyond the chunk being read. Blank lines are skipped; a line over the limit, not
 * UTF-8 or holding a NUL is reported as a bad row and the stream goes on.
 */
export async function* ndjsonRows(source: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<UploadRow> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let line = 0;

  const finish = (): UploadRow | null => {
    line++;
    if (tooLong) {
      tooLong = false;
      return { line, error: `line is longer than ${maxLineBytes} bytes` };
    }
    const bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
    parts = [];
    size = 0;
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return { line, error: 'line is not valid UTF-8' };
    }
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    text = text.trim();
    if (text === '') return null;
    // Postgres text cannot hold NUL, and valid JSON never contains a raw one.
    if (text.includes('\u0000')) return { line, error: 'line contains a NUL character' };
    return { line, text };
  };

  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf(0x0a, start);
      const end = newline === -1 ? buffer.length : newline;
      if (!tooLong && end > start) {
        if (size + end - start > maxLineBytes) {
          tooLong = true;
          parts = [];
          size = 0;
        } else {
          // Copied when the line continues in the next chunk, so a kept part never pins a whole chunk.
          parts.push(newline === -1 ? Buffer.from(buffer.subarray(start, end)) : buffer.subarray(start, end));
          size += end - start;
        }
      }
      if (newline === -1) break;
      const row = finish();
      if (row) yield row;
      start = newline + 1;
    }
  }
  if (size > 0 || tooLong) {
    const row = finish();
    if (row) yield row;
  }
}

export interface CsvOptions {
  /** `?type=`: every row becomes an event of this type. */
  eventType: string;
  /** A record larger than this (most likely an unclosed quote) rejects the upload. */
  maxRecordBytes: number;
}

/** The column that carries each row's idempotency key instead of a `data` field (docs/contract.md#bulk-ingestion). */
export const IDEMPOTENCY_KEY_COLUMN = 'idempotency_key';

const LINE_BREAK = /\r\n|\r|\n/g;
const LEADING_BREAKS = /^(?:\r\n|\r|\n)*/;
const countBreaks = (text: string) => text.match(LINE_BREAK)?.length ?? 0;

/**
 * CSV with a header row (RFC 4180 with the usual leniency: BOM, CRLF or LF, quoted commas and
 * newlines, stray quotes inside unquoted fields kept as text), parsed by csv-parse as a stream.
 * Each record becomes `{ type, data, idempotencyKey? }` with `data` keyed by the header (values
 * stay strings: CSV has no types, and "007" must not become 7). A record with the wrong number of
 * fields, or a quote never closed, is a bad row; a bad header or a record too large to be one
 * (an unclosed quote swallowing the file) rejects the upload (422).
 */
export async function* csvRows(source: AsyncIterable<Buffer | string>, options: CsvOptions): AsyncGenerator<UploadRow> {
  // Parse errors are collected rather than thrown: a stream that errors drops the records it still
  // buffers. `after` is how many records the parser had emitted, which puts them back in order.
  const skipped: { after: number; raw: string; message: string }[] = [];
  let emitted = 0;
  let bytesSinceRecord = 0;
  const parser = parse({
    bom: true,
    raw: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    on_record: (record: string[]) => {
      emitted++;
      bytesSinceRecord = 0;
      return record;
    },
    on_skip: (error: (Error & { code?: string }) | undefined, raw?: string) => {
      skipped.push({ after: emitted, raw: raw ?? '', message: error?.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is never closed' : `not valid CSV: ${error?.message}` });
      bytesSinceRecord = 0;
    },
  });
  // csv-parse holds a record until it ends; this bounds how much input may pass without one
  // (csv-parse's own max_record_size cannot be combined with skipping bad records).
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytesSinceRecord += chunk.length;
      if (bytesSinceRecord > options.maxRecordBytes) {
        done(ProblemException.invalid('body', `a CSV record near line ${nextLine} is larger than ${options.maxRecordBytes} bytes (an unclosed quote?)`));
      } else done(null, chunk);
    },
  });
  const feeding = pipeline(Readable.from(source), guard, parser).catch(() => undefined);

  // csv-parse's own `info.lines` miscounts CRLF inside quotes, so lines are counted from each
  // record's raw text: the blank lines before it, then its own line breaks.
  let nextLine = 1;
  const place = (raw: string): number => {
    const start = nextLine + countBreaks(LEADING_BREAKS.exec(raw)![0]);
    nextLine += countBreaks(raw);
    return start;
  };
  function* skippedBefore(records: number): Generator<UploadRow> {
    while (skipped.length > 0 && skipped[0].after <= records) {
      const { raw, message } = skipped.shift()!;
      yield { line: place(raw), error: message };
    }
  }

  let header: string[] | undefined;
  let keyColumn = -1;
  let consumed = 0;
  try {
    for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      yield* skippedBefore(consumed++);
      const line = place(raw);
      if (!header) {
        header = csvHeader(record);
        keyColumn = header.indexOf(IDEMPOTENCY_KEY_COLUMN);
        continue;
      }
      if (record.length !== header.length) {
        yield { line, error: `has ${record.length} field${record.length === 1 ? '' : 's'}, the header has ${header.length}` };
        continue;
      }
      const data: Record<string, string> = {};
      let idempotencyKey: string | undefined;
      for (let i = 0; i < header.length; i++) {
        if (i === keyColumn) idempotencyKey = record[i] === '' ? undefined : record[i];
        else data[header[i]] = record[i];
      }
      const row = idempotencyKey === undefined ? { type: options.eventType, data } : { type: options.eventType, data, idempotencyKey };
      yield { line, text: JSON.stringify(row) };
    }
    yield* skippedBefore(Infinity);
  } finally {
    parser.destroy();
    await feeding;
  }
}

function csvHeader(record: string[]): string[] {
  const names = record.map((name) => name.trim());
  const blank = names.findIndex((name) => name === '');
  if (blank !== -1) throw ProblemException.invalid('header', `column ${blank + 1} has no name`);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw ProblemException.invalid('header', `column "${name}" appears twice`);
    seen.add(name);
  }
  return names;
}
