import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastify from 'fastify';
import request from 'supertest';
import type { TestApi } from '../../../../test/support';
import { startTestApi, testConfig } from '../../../../test/support';
import { ensureWebUiBuilt } from '../../../../test/browser/browser-kit';
import { mountWebUi, webUiDirectory } from './web-ui';

const CSP = (frameAncestors: string, logo = '') =>
  `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:${logo}; connect-src 'self'; frame-ancestors ${frameAncestors}; base-uri 'none'; form-action 'self'`;

describe('the web UI as the API serves it', () => {
  let api: TestApi;

  beforeAll(async () => {
    ensureWebUiBuilt();
    api = await startTestApi({
      PORTAL_TITLE: 'Acme webhooks',
      PORTAL_LOGO_URL: 'https://cdn.acme.example/logo.svg',
      PORTAL_ACCENT_COLOR: '#0a7cff',
      PORTAL_REFRESH_URL: 'https://app.acme.example/settings/webhooks',
      PORTAL_FRAME_ANCESTORS: "'self' https://app.acme.example",
    });
  });
  afterAll(() => api?.close());

  it.each(['/portal/', '/console/', '/portal/deliveries/dlv_123', '/console/tenants/ten_1/endpoints'])('answers %s with the page, uncached, under a strict CSP', async (path) => {
    const response = await api.http.get(path).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toBe(CSP("'self' https://app.acme.example", ' https://cdn.acme.example'));
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    // No inline script or style: everything the page runs is a file under /assets/.
    expect(response.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(response.text).not.toMatch(/<style|\sstyle=/);
  });

  it('serves hashed assets as immutable for a year', async () => {
    const html = (await api.http.get('/portal/').expect(200)).text;
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const response = await api.http.get(script).expect(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    await api.http
      .get('/assets/missing-0000.js')
      .expect(404)
      .expect('content-type', /problem\+json/);
  });

  it('redirects /portal to /portal/ so relative paths resolve', async () => {
    await api.http.get('/portal').expect(301).expect('location', '/portal/');
  });

  it('exposes the branding at /portal/config.json', async () => {
    const response = await api.http.get('/portal/config.json').expect(200);
    expect(response.body).toEqual({
      title: 'Acme webhooks',
      logoUrl: 'https://cdn.acme.example/logo.svg',
      accentColor: '#0a7cff',
      refreshUrl: 'https://app.acme.example/settings/webhooks',
    });
  });

  it("defaults frame-ancestors to 'self' and allows no outside image origin", async () => {
    const plain = await startTestApi();
    try {
      const response = await plain.http.get('/portal/').expect(200);
      expect(response.headers['content-security-policy']).toBe(CSP("'self'"));
    } finally {
      await plain.close();
    }
  });

  it('bundles no reference to another origin (the pages work offline)', () => {
    const assets = join(webUiDirectory(), 'assets');
    for (const file of readdirSync(assets).filter((f) => /\.(css|html)$/.test(f))) {
      expect(readFileSync(join(assets, file), 'utf8')).not.toMatch(/url\(\s*['"]?https?:|@import\s+url\(\s*['"]?https?:/);
    }
  });

  it('answers 503 naming the fix when the web UI is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'hookline-web-'));
    const app = fastify();
    mountWebUi(app, testConfig(), join(empty, 'dist', 'web'));
    try {
      await app.ready();
      const response = await request(app.server).get('/portal/').expect(503);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 503, detail: 'The web UI is not built: run npm run build' });
      await request(app.server).get('/assets/portal.js').expect(503);
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
