import { ProblemException } from '@hookline/http-problem';
import type { UploadRow } from './upload-rows';
import { csvRows, ndjsonRows } from './upload-rows';

async function collect(rows: AsyncIterable<UploadRow>): Promise<UploadRow[]> {
  const out: UploadRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** The input cut into pieces of `size` bytes, as a socket might deliver it. */
async function* pieces(input: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('ndjsonRows', () => {
  const text = '\ufeff{"a":1}\r\n\n  \n{"b":"é – ✓"}\n{"c":3}';

  it.each([1, 2, 3, 7, 1000])('numbers physical lines and skips blank ones, however the bytes arrive (%i-byte pieces)', async (size) => {
    expect(await collect(ndjsonRows(pieces(text, size), 1000))).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 4, text: '{"b":"é – ✓"}' },
      { line: 5, text: '{"c":3}' },
    ]);
  });

  it('reports a line over the limit, invalid UTF-8 or a NUL as a bad row and goes on', async () => {
    const input = Buffer.concat([Buffer.from(`{"ok":1}\n${'x'.repeat(50)}\n`), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), Buffer.from('{"nul":"\u0000"}\n{"ok":2}\n')]);
    expect(await collect(ndjsonRows(pieces(input, 4), 20))).toEqual([
      { line: 1, text: '{"ok":1}' },
      { line: 2, error: 'line is longer than 20 bytes' },
      { line: 3, error: 'line is not valid UTF-8' },
      { line: 4, error: 'line contains a NUL character' },
      { line: 5, text: '{"ok":2}' },
    ]);
  });

  it('never keeps more than one line in memory: a huge line is dropped as it streams', async () => {
    // One 64 KB buffer sent 2,000 times (128 MB without a newline): the source allocates nothing,
    // so whatever buffer memory appears is what the splitter copied.
    const piece = Buffer.alloc(64 * 1024, 0x61);
    async function* endless() {
      yield Buffer.from('{"first":true}\n');
      for (let i = 0; i < 2_000; i++) yield piece;
      yield Buffer.from('\n{"last":true}');
    }
    const before = process.memoryUsage().arrayBuffers;
    const rows = await collect(ndjsonRows(endless(), 1024 * 1024));
    expect(rows).toEqual([
      { line: 1, text: '{"first":true}' },
      { line: 2, error: 'line is longer than 1048576 bytes' },
      { line: 3, text: '{"last":true}' },
    ]);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('csvRows', () => {
  const options = { eventType: 'customer.imported', maxRecordBytes: 1_000 };
  const csv = '\ufeffname , amount,idempotency_key\r\n' + '"Smith, J",10,k1\r\n' + '"two\r\nlines ""quoted""",20,\r\n' + '\r\n' + 'short,row\r\n' + 'x"y,30,k3';

  it.each([1, 5, 1000])('turns records into { type, data, idempotencyKey } with the line each starts on (%i-byte pieces)', async (size) => {
    const rows = await collect(csvRows(pieces(csv, size), options));
    expect(rows).toEqual([
      { line: 2, text: JSON.stringify({ type: 'customer.imported', data: { name: 'Smith, J', amount: '10' }, idempotencyKey: 'k1' }) },
      { line: 3, text: JSON.stringify({ type: 'customer.imported', data: { name: 'two\r\nlines "quoted"', amount: '20' } }) },
      { line: 6, error: 'has 2 fields, the header has 3' },
      { line: 7, text: JSON.stringify({ type: 'customer.imported', data: { name: 'x"y', amount: '30' }, idempotencyKey: 'k3' }) },
    ]);
  });

  it('keeps values as text and works without an idempotency_key column', async () => {
    const rows = await collect(csvRows(pieces('zip,flag\n007,true\n', 3), options));
    expect(rows).toEqual([{ line: 2, text: JSON.stringify({ type: 'customer.imported', data: { zip: '007', flag: 'true' } }) }]);
  });

  it('reports a quote never closed as one bad row at the end', async () => {
    const rows = await collect(csvRows(pieces('a,b\n1,2\n"open,3\n4,5\n', 4), options));
    expect(rows).toEqual([
      { line: 2, text: JSON.stringify({ type: 'customer.imported', data: { a: '1', b: '2' } }) },
      { line: 3, error: 'a quoted field is never closed' },
    ]);
  });

  it.each([
    ['a duplicate column', 'a,b,a\n1,2,3\n', 'header'],
    ['a column without a name', 'a,,c\n1,2,3\n', 'header'],
    ['a record over the size limit', `a,b\n"${'x'.repeat(2_000)}",1\n`, 'body'],
  ])('rejects the upload for %s (422)', async (_case, input, field) => {
    const failure = await collect(csvRows(pieces(input, 64), options)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProblemException);
    expect((failure as ProblemException).getStatus()).toBe(422);
    expect((failure as ProblemException).errors?.[0].field).toBe(field);
  });
});
