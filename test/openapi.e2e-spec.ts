import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApi } from './support';
import { startTestApi } from './support';

/**
 * The committed openapi.json is the API contract as code generates it, so every contract change
 * shows up as a diff in review. After an intended change: `UPDATE_OPENAPI=1 npx jest test/openapi`.
 */
const COMMITTED = join(__dirname, '..', 'openapi.json');
const UPDATE_HINT = 'to accept what the API now serves (after reviewing it): UPDATE_OPENAPI=1 npx jest test/openapi';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Each place two documents differ, as `path: committed -> served`, at most `limit` of them. */
function openApiDifferences(committed: Json, served: Json, path = '', found: string[] = [], limit = 50): string[] {
  if (found.length >= limit) return found;
  const here = path || '(document)';
  const isObject = (v: Json): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(committed) && isObject(served)) {
    for (const key of new Set([...Object.keys(committed), ...Object.keys(served)])) {
      const child = `${path}${path ? '.' : ''}${key}`;
      if (!(key in served)) found.push(`${child}: removed (was ${brief(committed[key])})`);
      else if (!(key in committed)) found.push(`${child}: added (${brief(served[key])})`);
      else openApiDifferences(committed[key], served[key], child, found, limit);
    }
  } else if (Array.isArray(committed) && Array.isArray(served)) {
    if (committed.length !== served.length) found.push(`${here}: ${brief(committed)} -> ${brief(served)}`);
    else committed.forEach((item, i) => openApiDifferences(item, served[i], `${path}[${i}]`, found, limit));
  } else if (JSON.stringify(committed) !== JSON.stringify(served)) {
    found.push(`${here}: ${brief(committed)} -> ${brief(served)}`);
  }
  return found.slice(0, limit);
}

function brief(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

describe('OpenAPI document', () => {
  let api: TestApi;
  beforeAll(async () => (api = await startTestApi()));
  afterAll(() => api.close());

  it('is served at /openapi.json exactly as committed in openapi.json', async () => {
    const response = await api.http
      .get('/openapi.json')
      .expect(200)
      .expect('content-type', /^application\/json/);
    const served = response.body as Json;
    expect(served).toMatchObject({ openapi: expect.stringMatching(/^3\./), paths: expect.objectContaining({ '/v1/tenants': expect.any(Object) }) });

    if (process.env.UPDATE_OPENAPI === '1') {
      writeFileSync(COMMITTED, `${JSON.stringify(served, null, 2)}\n`);
      return;
    }
    if (!existsSync(COMMITTED)) throw new Error(`openapi.json is missing; ${UPDATE_HINT}`);
    const differences = openApiDifferences(JSON.parse(readFileSync(COMMITTED, 'utf8')) as Json, served);
    if (differences.length) {
      throw new Error(`openapi.json differs from what the API serves:\n  ${differences.join('\n  ')}\n${UPDATE_HINT}`);
    }
  });

  it('has interactive docs at /docs', async () => {
    const response = await api.http
      .get('/docs')
      .expect(200)
      .expect('content-type', /^text\/html/);
    expect(response.text).toContain('swagger');
  });

  it('names each difference, so a contract change cannot pass unnoticed', async () => {
    type Document = { paths: { [path: string]: { [method: string]: Json } }; info: { [key: string]: Json } };
    const served = (await api.http.get('/openapi.json').expect(200)).body as Document;
    const altered = JSON.parse(JSON.stringify(served)) as Document;
    delete altered.paths['/v1/tenants'].post;
    altered.paths['/v1/tenants/{tenantId}/frobnicate'] = { post: {} };
    altered.info.title = 'Another API';

    expect(openApiDifferences(altered as unknown as Json, served as unknown as Json).sort()).toEqual([
      'info.title: "Another API" -> "Hookline API"',
      `paths./v1/tenants.post: added (${brief(served.paths['/v1/tenants'].post)})`,
      'paths./v1/tenants/{tenantId}/frobnicate: removed (was {"post":{}})',
    ]);
    expect(openApiDifferences(served as unknown as Json, served as unknown as Json)).toEqual([]);
  });
});
