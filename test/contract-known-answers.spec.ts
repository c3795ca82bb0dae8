import { createHmac, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { createSigner } from '@hookline/signing';

/** The known answers docs/contract.md gives receivers, checked with the official library and node's crypto. */
const contract = readFileSync(join(__dirname, '..', 'docs', 'contract.md'), 'utf8');
const section = contract.slice(contract.indexOf('## The request your endpoint receives'));
const exampleBody = /^```\n(\{"id":"evt_.*\})\n```$/m.exec(section)![1];

interface KnownAnswer {
  scheme: string;
  key: string;
  id: string;
  timestamp: number;
  body: string;
  signature: string;
}

const rows: KnownAnswer[] = section
  .split('\n')
  .filter((line) => /^\| (v1|v1a|GitHub) \|/.test(line))
  .map((line) => {
    const [scheme, key, idAndTimestamp, body, signature] = line.split(' | ').map((cell) => cell.replace(/^\| /, '').replace(/ \|$/, ''));
    const code = (cell: string) => /^`(.*)`$/.exec(cell)?.[1] ?? cell;
    const [id, timestamp] = idAndTimestamp.split(' / ').map(code);
    return { scheme, key: code(key), id, timestamp: Number(timestamp), body: body === 'the body shown above' ? exampleBody : code(body), signature: code(signature) };
  });

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

describe('docs/contract.md known answers', () => {
  it('lists v1, v1a and GitHub examples', () => {
    expect(rows.map((r) => r.scheme).sort()).toEqual(['GitHub', 'GitHub', 'v1', 'v1', 'v1', 'v1a']);
  });

  it.each(rows.filter((r) => r.scheme === 'v1'))('v1 $id: standardwebhooks and Hookline sign it as documented', (row) => {
    expect(new Webhook(row.key).sign(row.id, new Date(row.timestamp * 1000), row.body)).toBe(row.signature);
    expect(createSigner(row.key).sign(row.id, row.timestamp, row.body)).toBe(row.signature);
  });

  it.each(rows.filter((r) => r.scheme === 'GitHub'))('GitHub-style with $key: HMAC-SHA256 of the body keyed with the whole secret', (row) => {
    expect(`sha256=${createHmac('sha256', row.key).update(row.body).digest('hex')}`).toBe(row.signature);
  });

  it.each(rows.filter((r) => r.scheme === 'v1a'))('v1a $id: the signature verifies with the whpk_ public key, and not for another body', (row) => {
    const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(row.key.slice('whpk_'.length), 'base64')]), format: 'der', type: 'spki' });
    const signature = Buffer.from(row.signature.slice('v1a,'.length), 'base64');
    expect(verify(null, Buffer.from(`${row.id}.${row.timestamp}.${row.body}`), key, signature)).toBe(true);
    expect(verify(null, Buffer.from(`${row.id}.${row.timestamp}.${row.body} `), key, signature)).toBe(false);
  });
});
