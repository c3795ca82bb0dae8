import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import type { TestStack } from '../support';
import { RecordingReceiver, startTestStack } from '../support';
import { ensureWebUiBuilt, launchBrowser, screenshot, unnamedControls, waitUntil, watchPageProblems } from './browser-kit';

jest.setTimeout(120_000);

describe('customer portal in a browser', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  const portalLink = async (tenantId: string, body: Record<string, unknown> = {}) =>
    (await stack.api.http.post(`/v1/tenants/${tenantId}/portal-sessions`).set(stack.api.auth()).send(body).expect(201)).body as { id: string; url: string; token: string };

  beforeAll(async () => {
    ensureWebUiBuilt();
    [stack, receiver, browser] = await Promise.all([startTestStack(), RecordingReceiver.start(), launchBrowser()]);
    await stack.api.http
      .post('/v1/event-types')
      .set(stack.api.auth())
      .send({
        name: 'ledger.invoice_paid',
        description: 'An invoice was paid in full.',
        schema: {
          type: 'object',
          required: ['invoiceId', 'amount'],
          properties: { invoiceId: { type: 'string', minLength: 8 }, amount: { type: 'integer', minimum: 1 }, currency: { enum: ['EUR', 'USD'] } },
        },
      })
      .expect((r) => expect([201, 409]).toContain(r.status));
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    problems = watchPageProblems(page);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await receiver?.close();
    await stack?.close();
  });

  afterEach(async () => {
    expect(problems).toEqual([]);
    expect(await unnamedControls(page)).toEqual([]);
  });

  it('opens from a portal link and takes the token out of the address bar', async () => {
    const link = await portalLink(stack.tenantId);
    expect(link.url).toMatch(/\/portal\/#token=hkp_/);
    const network: string[] = [];
    const note = (what: string) => (request: Request) => {
      const path = new URL(request.url()).pathname;
      if (path === '/portal/config.json' || path === '/v1/auth/whoami') network.push(`${what} ${path}`);
    };
    const [sent, done] = [note('sent'), note('done')];
    page.on('request', sent);
    page.on('requestfinished', done);
    await page.goto(link.url);
    await page.getByRole('heading', { name: 'Endpoints', exact: true }).waitFor();
    // Branding and the session are read side by side: the session is asked for before branding is back.
    expect(network.indexOf('sent /v1/auth/whoami')).toBeGreaterThanOrEqual(0);
    expect(network.indexOf('sent /v1/auth/whoami')).toBeLessThan(network.indexOf('done /portal/config.json'));
    page.off('request', sent);
    page.off('requestfinished', done);
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate('document.cookie')).toBe('');
    await page.getByText('No endpoints yet').waitFor();
    await screenshot(page, 'portal-empty');
  });

  it('works from the keyboard: a dialog takes focus, Escape closes it and gives focus back', async () => {
    const add = page.getByRole('button', { name: 'Add endpoint' }).first();
    await add.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Add an endpoint' });
    await dialog.waitFor();
    expect(await page.evaluate("document.activeElement.closest('dialog') !== null")).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Add endpoint');
  });

  let subscriptionId: string;

  it('creates an endpoint, sends a test event prefilled from the schema, and sees it arrive live', async () => {
    await page.getByRole('button', { name: 'Add endpoint' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add an endpoint' });
    // The API's answer names the field; the form shows it next to that field.
    await dialog.getByLabel('Endpoint URL').fill('ftp://example.com/hook');
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    await dialog.locator('.field-error').getByLabel('Endpoint URL').waitFor();
    await dialog.getByLabel('Endpoint URL').fill(receiver.url);
    await dialog.getByLabel('Description').fill('Billing service');
    await dialog.getByRole('radio', { name: 'Only the types I choose' }).check();
    await dialog.getByRole('checkbox', { name: /ledger\.\*/ }).check();
    await dialog.getByLabel('Other event type or pattern').fill('order.shipped');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.getByRole('checkbox', { name: /order\.shipped/ }).waitFor();
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByRole('heading', { name: receiver.url }).waitFor();
    subscriptionId = page.url().split('/').pop()!;
    expect(subscriptionId).toMatch(/^sub_/);
    const created = (await stack.api.http.get(`/v1/tenants/${stack.tenantId}/subscriptions/${subscriptionId}`).set(stack.api.auth()).expect(200)).body;
    expect(created).toMatchObject({ url: receiver.url, description: 'Billing service', eventTypes: ['ledger.*', 'order.shipped'] });

    await page.getByRole('button', { name: 'Send test event' }).click();
    const test = page.getByRole('dialog', { name: 'Send a test event' });
    await test.getByLabel('Event type').selectOption('ledger.invoice_paid');
    const prefilled = JSON.parse(await test.getByLabel('Payload (data)').inputValue());
    expect(prefilled).toEqual({ invoiceId: 'example0', amount: 1, currency: 'EUR' });
    await test.getByLabel('Payload (data)').fill(JSON.stringify({ ...prefilled, invoiceId: 'inv_12345678' }));
    await test.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText(/Test event evt_\w+ sent/).waitFor();

    const [request] = await receiver.waitForRequests(1);
    const { secret } = (await stack.api.http.get(`/v1/tenants/${stack.tenantId}/subscriptions/${subscriptionId}/secret`).set(stack.api.auth()).expect(200)).body;
    const verified = new Webhook(secret).verify(request.body, request.headers as Record<string, string>) as { type: string; data: unknown };
    expect(verified).toMatchObject({ type: 'ledger.invoice_paid', data: { invoiceId: 'inv_12345678', amount: 1 } });

    // The log on the endpoint page picks the delivery up without a reload.
    const row = page.getByRole('link', { name: /^Delivery dlv_\w+: ledger\.invoice_paid, succeeded$/ });
    await row.waitFor();
    await screenshot(page, 'portal-endpoint');
  });

  it('reveals the signing secret and rotates it with a grace period', async () => {
    const secretOf = async () => (await stack.api.http.get(`/v1/tenants/${stack.tenantId}/subscriptions/${subscriptionId}/secret`).set(stack.api.auth()).expect(200)).body.secret;
    const before = await secretOf();
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    await page.getByLabel('Signing secret', { exact: true }).getByText(before).waitFor();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate the signing secret' });
    await dialog.getByLabel('Keep the old secret valid for').selectOption({ label: '1 hour' });
    await dialog.getByRole('button', { name: 'Rotate now' }).click();
    await page.getByText(/until the grace period ends, every request also carries a signature with the old one/).waitFor();
    const after = await secretOf();
    expect(after).not.toBe(before);
    await page.getByLabel('Signing secret', { exact: true }).getByText(after).waitFor();
  });

  it('opens the delivery with its attempt, retries it with the same webhook-id, and shows the new attempt', async () => {
    await page.getByRole('link', { name: /ledger\.invoice_paid, succeeded/ }).click();
    await page.getByRole('article', { name: 'Attempt 1' }).getByText('HTTP 200').waitFor();
    await page.getByText('"invoiceId": "inv_12345678"').waitFor();
    await page.getByRole('article', { name: 'Attempt 1' }).getByText('Request headers').click();
    await screenshot(page, 'portal-delivery');

    await page.getByRole('button', { name: 'Retry' }).click();
    const [first, second] = await receiver.waitForRequests(2);
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    await page.getByRole('article', { name: 'Attempt 2' }).getByText('HTTP 200').waitFor();
  });

  it('recovers the endpoint since a time, with progress until done', async () => {
    receiver.respondWith(() => ({ status: 503, body: 'maintenance' }));
    const event = (
      await stack.api.http
        .post(`/v1/tenants/${stack.tenantId}/events`)
        .set(stack.api.auth())
        .send({ type: 'ledger.invoice_paid', data: { invoiceId: 'inv_87654321', amount: 5 } })
        .expect(202)
    ).body;
    const dead = async () =>
      (await stack.api.http.get(`/v1/tenants/${stack.tenantId}/deliveries?eventId=${event.id}`).set(stack.api.auth()).expect(200)).body.data[0]?.status === 'dead';
    while (!(await dead())) await new Promise((resolve) => setTimeout(resolve, 100));
    receiver.respondWith(() => ({ status: 200 }));
    const before = receiver.requests.length;

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Endpoints' }).click();
    await page.getByRole('link', { name: receiver.url }).click();
    await page.getByRole('button', { name: 'Recover' }).click();
    const dialog = page.getByRole('dialog', { name: 'Recover missed deliveries' });
    await dialog.getByRole('button', { name: 'Start recovery' }).click();
    await dialog.getByText(/^Done: 1 of 1 deliveries sent again\.$/).waitFor();
    await screenshot(page, 'portal-recover');
    const resent = await receiver.waitForRequests(before + 1);
    expect(resent[resent.length - 1].headers['webhook-id']).toBe(event.id);
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    await page.getByRole('img', { name: 'Attempts by outcome over time' }).waitFor();
    await screenshot(page, 'portal-endpoint-activity', false);
  });

  it('lists the delivery in the log with filters, and opens the catalogue, the charts and the verify help', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Deliveries' }).click();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    await page
      .getByRole('link', { name: /ledger\.invoice_paid, succeeded/ })
      .first()
      .waitFor();
    await page.getByLabel('Status').selectOption('dead');
    await page.getByText('No deliveries', { exact: true }).waitFor();
    await page.getByLabel('Status').selectOption('');
    await page
      .getByRole('link', { name: /ledger\.invoice_paid, succeeded/ })
      .first()
      .waitFor();
    await screenshot(page, 'portal-deliveries');
    // Search by event id narrows the log to that event's delivery.
    await page.getByLabel('Event or delivery id').fill(String(receiver.requests[0].headers['webhook-id']));
    await page.keyboard.press('Enter');
    await page.waitForURL(/eventId=evt_/);
    // The header row and the one delivery of that event.
    const rows = page.getByRole('table', { name: 'Deliveries' }).getByRole('row');
    await waitUntil(async () => (await rows.count()) === 2, 'the log shows that one delivery');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Event catalogue' }).click();
    await page.getByText('An invoice was paid in full.').waitFor();
    await screenshot(page, 'portal-catalogue');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('img', { name: 'Attempts by outcome over time' }).waitFor();
    await screenshot(page, 'portal-activity');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Verify signatures' }).click();
    await page.getByRole('tab', { name: 'Python' }).click();
    await page.getByText('pip install standardwebhooks').waitFor();
    // The newest request: signed after the rotation, so the endpoint's current secret verifies it.
    const request = receiver.requests[receiver.requests.length - 1];
    await page.getByLabel('Endpoint').selectOption({ label: receiver.url });
    await page.getByLabel('Payload (the raw request body)').fill(request.body);
    const headers = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => `${name}: ${request.headers[name]}`).join('\n');
    await page.getByLabel('Headers (one per line)').fill(headers);
    await page.getByRole('button', { name: 'Verify signature' }).click();
    await page.getByText('The signature is valid').waitFor();
    await page.getByLabel('Payload (the raw request body)').fill(request.body.replace('"invoiceId"', '"invoiceID"'));
    await page.getByRole('button', { name: 'Verify signature' }).click();
    await page.getByText(/The signature does not match/).waitFor();
    await screenshot(page, 'portal-verify');
  });

  it('re-reads the charts every 30 s while the page is visible, never while it is hidden', async () => {
    // A tab of its own with a clock the test moves: 30 s pass without waiting 30 s.
    const charts = await context.newPage();
    const chartProblems = watchPageProblems(charts);
    await charts.clock.install();
    let reads = 0;
    charts.on('request', (request) => {
      if (new URL(request.url()).pathname.endsWith('/stats/series')) reads++;
    });
    await charts.goto((await portalLink(stack.tenantId)).url);
    await charts.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Activity' }).click();
    const attempts = charts.locator('.metric', { hasText: 'Attempts' }).locator('.metric-value');
    await attempts.waitFor();
    const count = async () => Number((await attempts.textContent())!.replace(/\D/g, ''));
    const before = await count();
    const visibility = (state: 'hidden' | 'visible') =>
      charts.evaluate(`Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => '${state}' }); document.dispatchEvent(new Event('visibilitychange'))`);

    await visibility('hidden');
    const readsWhileHidden = reads;
    await charts.clock.fastForward(5 * 60_000);
    const sent = receiver.requests.length;
    await stack.api.http
      .post(`/v1/tenants/${stack.tenantId}/events`)
      .set(stack.api.auth())
      .send({ type: 'ledger.invoice_paid', data: { invoiceId: 'inv_55555555', amount: 7 } })
      .expect(202);
    await receiver.waitForRequests(sent + 1);
    expect(reads).toBe(readsWhileHidden);

    // Visible again: read at once, then every 30 s, until the new attempt is counted.
    await visibility('visible');
    await waitUntil(async () => {
      if ((await count()) > before) return true;
      await charts.clock.fastForward(30_000);
      return false;
    }, 'the chart counts the new attempt');
    expect(reads).toBeGreaterThan(readsWhileHidden);
    expect(chartProblems).toEqual([]);
    await charts.close();
  });

  it("shows another tenant's delivery as not found", async () => {
    const other = await startTestStackTenant(stack);
    await page.goto(`${stack.api.url}/portal/deliveries/${other.deliveryId}`);
    await page.getByRole('heading', { name: 'Delivery not found' }).waitFor();
  });

  it('hides every write button from a read-only session', async () => {
    const readOnly = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const phone = await readOnly.newPage();
    const phoneProblems = watchPageProblems(phone);
    await phone.goto((await portalLink(stack.tenantId, { readOnly: true })).url);
    await phone.getByText('Read-only').waitFor();
    await phone.getByRole('link', { name: receiver.url }).click();
    await phone.getByRole('heading', { name: receiver.url }).waitFor();
    for (const name of ['Send test event', 'Edit', 'Disable', 'Delete', 'Recover', 'Rotate secret']) {
      expect(await phone.getByRole('button', { name }).count()).toBe(0);
    }
    await screenshot(phone, 'portal-read-only-phone');
    // Wide content scrolls inside its card; the page itself never scrolls sideways on a phone.
    expect(await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
    await phone
      .getByRole('link', { name: /ledger\.invoice_paid, succeeded/ })
      .first()
      .click();
    await phone.getByRole('article', { name: 'Attempt 1' }).waitFor();
    expect(await phone.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    expect(phoneProblems).toEqual([]);
    await readOnly.close();
  });

  it('says kindly that a revoked link has ended', async () => {
    const link = await portalLink(stack.tenantId);
    const tab = await context.newPage();
    await tab.goto(link.url);
    await tab.getByRole('heading', { name: 'Endpoints', exact: true }).waitFor();
    await stack.api.http.delete(`/v1/tenants/${stack.tenantId}/portal-sessions/${link.id}`).set(stack.api.auth()).expect(204);
    // Any next request is refused; a reload makes one for sure (the token stays in this tab's storage).
    await tab.reload();
    await tab.getByRole('heading', { name: 'Your session has ended' }).waitFor();
    expect(await tab.evaluate("sessionStorage.getItem('hookline.portal.token')")).toBeNull();
    await screenshot(tab, 'portal-session-ended');
    await tab.close();
  });
});

/** A second tenant with one delivery, to try reaching it from the first tenant's portal. */
async function startTestStackTenant(stack: TestStack): Promise<{ tenantId: string; deliveryId: string }> {
  const { api } = stack;
  const tenant = (await api.http.post('/v1/tenants').set(api.auth()).send({ name: 'someone else' }).expect(201)).body;
  await api.http.post(`/v1/tenants/${tenant.id}/subscriptions`).set(api.auth()).send({ url: 'http://127.0.0.1:9/hook' }).expect(201);
  const event = (await api.http.post(`/v1/tenants/${tenant.id}/events`).set(api.auth()).send({ type: 'order.created', data: {} }).expect(202)).body;
  const detail = (await api.http.get(`/v1/tenants/${tenant.id}/events/${event.id}`).set(api.auth()).expect(200)).body;
  return { tenantId: tenant.id, deliveryId: detail.deliveries[0].id };
}
