import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import type { Browser } from 'playwright-core';
import type { TestApi } from '../support';
import { createTenant, startTestApi } from '../support';
import { ensureWebUiBuilt, launchBrowser, watchPageProblems } from './browser-kit';

jest.setTimeout(60_000);

/** An expired link, with PORTAL_REFRESH_URL set: the kind message, then the customer's own app. */
describe('portal link that expired, with a refresh URL', () => {
  let api: TestApi;
  let app: Server;
  let browser: Browser;

  beforeAll(async () => {
    ensureWebUiBuilt();
    // Stands in for the SaaS app that makes fresh portal links.
    app = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Acme settings</h1>'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const refreshUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/settings/webhooks`;
    [api, browser] = await Promise.all([startTestApi({ PORTAL_REFRESH_URL: refreshUrl, PORTAL_TITLE: 'Acme webhooks' }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await new Promise((resolve) => app?.close(resolve));
  });

  it('says the session ended and sends the customer to PORTAL_REFRESH_URL', async () => {
    const tenant = await createTenant(api);
    const link = (await api.http.post(`/v1/tenants/${tenant.id}/portal-sessions`).set(api.auth()).send({}).expect(201)).body;
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const problems = watchPageProblems(page);
    await page.goto(link.url);
    await page.getByRole('heading', { name: 'Endpoints', exact: true }).waitFor();
    expect(await page.title()).toBe('Acme webhooks');

    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      await db.query(`UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [link.id]);
    } finally {
      await db.end();
    }
    await page.reload();
    await page.getByRole('heading', { name: 'Your session has ended' }).waitFor();
    await page.getByRole('link', { name: 'Get a new link now' }).waitFor();
    await page.waitForURL(/\/settings\/webhooks$/);
    await page.getByRole('heading', { name: 'Acme settings' }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});
