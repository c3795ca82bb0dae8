import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PrismaService } from '@hookline/database';
import { newId } from '@hookline/ids';
import type { TestStack } from '../support';
import { RecordingReceiver, startTestStack } from '../support';
import { ndjson, upload } from '../../apps/api/src/bulk-jobs/bulk-test-kit';
import { publish, subscribe, waitForStats } from '../operators/operators-test-kit';
import { ensureWebUiBuilt, launchBrowser, screenshot, unnamedControls, waitUntil, watchPageProblems } from './browser-kit';

jest.setTimeout(120_000);

describe('operator console in a browser', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let tenantName: string;

  beforeAll(async () => {
    ensureWebUiBuilt();
    [stack, receiver, browser] = await Promise.all([startTestStack(), RecordingReceiver.start(() => ({ status: 500, body: 'down for maintenance' })), launchBrowser()]);
    // Test files share one database: a name of its own, so the search finds this tenant alone.
    tenantName = `Acme ${process.pid}-${Date.now()}`;
    await stack.api.http.patch(`/v1/tenants/${stack.tenantId}`).set(stack.api.auth()).send({ name: tenantName }).expect(200);
    await subscribe(stack, receiver.url);
    const paused = await subscribe(stack, 'http://127.0.0.1:9/paused');
    await stack.api.http.post(`/v1/tenants/${stack.tenantId}/subscriptions/${paused.id}/disable`).set(stack.api.auth()).expect(200);
    await publish(stack, 'order.created', { orderId: 'ord_1' });
    await waitForStats(stack, (s) => s.deliveries.dead === 1);
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

  it('signs in with the admin key only', async () => {
    await page.goto(`${stack.api.url}/console/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Admin API key').fill('hk_wrong_key_0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This key was not accepted').waitFor();
    await page.getByLabel('Admin API key').fill(stack.api.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Health' }).waitFor();
    await page.getByRole('table', { name: 'Queue depths' }).waitFor();
    const disabled = page.getByRole('table', { name: 'Disabled endpoints' }).getByRole('row', { name: /127\.0\.0\.1:9\/paused/ });
    await disabled.first().getByText('Disabled by hand').waitFor();
    expect(await page.evaluate('document.cookie')).toBe('');
    await screenshot(page, 'console-health');
  });

  it('finds the tenant, opens its portal view and makes a portal link to hand over', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByLabel('Search tenants').fill(tenantName);
    await page.getByRole('link', { name: tenantName, exact: true }).click();
    await page.getByRole('heading', { name: tenantName }).waitFor();
    await page.getByRole('link', { name: receiver.url }).waitFor();
    await page.getByRole('navigation', { name: 'Tenant' }).getByRole('link', { name: 'Keys and links' }).click();
    await page.getByRole('button', { name: 'Make portal link' }).click();
    const link = await page.getByLabel('New portal link').textContent();
    expect(link).toMatch(new RegExp(`^${stack.api.url}/portal/#token=hkp_`));
    await page.getByRole('button', { name: 'Copy link' }).waitFor();
    await page.getByLabel('Key name').fill('backend');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('Copy this key now: it is shown only once.').waitFor();
    await page.getByRole('button', { name: 'Revoke key backend' }).waitFor();
    await screenshot(page, 'console-tenant-access');
  });

  it('searches every tenant on the server, not only the page loaded', async () => {
    const oldName = `Old Umbrella ${process.pid}-${Date.now()}`;
    const old = (await stack.api.http.post('/v1/tenants').set(stack.api.auth()).send({ name: oldName }).expect(201)).body as { id: string };
    // Newer tenants than a whole page (100) push it off the first page.
    await stack.api.app
      .get(PrismaService)
      .tenant.createMany({ data: Array.from({ length: 105 }, (_, i) => ({ id: newId('ten'), name: `Filler ${process.pid} ${i}`, updatedAt: new Date() })) });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByLabel('Search tenants').fill('');
    const rows = page.getByRole('table', { name: 'Tenants' }).getByRole('row');
    await waitUntil(async () => (await rows.count()) === 101, 'the first page of tenants');
    expect(await page.getByRole('link', { name: oldName }).count()).toBe(0);

    await page.getByLabel('Search tenants').fill(oldName.toUpperCase().slice(4));
    await page.getByRole('link', { name: oldName, exact: true }).waitFor();
    await waitUntil(async () => (await rows.count()) === 2, 'only the tenant searched for');
    await screenshot(page, 'console-tenant-search');
    await page.getByLabel('Search tenants').fill(old.id);
    await page.getByRole('link', { name: oldName, exact: true }).waitFor();
    await page.getByLabel('Search tenants').fill('no tenant has this name');
    await page.getByText('No tenant matches').waitFor();
    await page.getByLabel('Search tenants').fill('');
  });

  it('shows the dead letter and replays it in bulk, with progress until done', async () => {
    receiver.respondWith(() => ({ status: 200 }));
    const before = receiver.requests.length;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dead letters' }).click();
    await page.getByLabel('Tenant id').fill(stack.tenantId);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // Other test files share the database: wait until the list shows this tenant's dead letters only.
    const deadLetters = page.getByRole('link', { name: /^Dead delivery dlv_\w+: order\.created$/ });
    await waitUntil(async () => {
      // The list re-renders while the filter applies: a row read a moment ago may be gone, so read
      // briefly and look again rather than wait on a row that no longer exists.
      const hrefs = await Promise.all((await deadLetters.all()).map((link) => link.getAttribute('href', { timeout: 500 }))).catch(() => []);
      return hrefs.length > 0 && hrefs.every((href) => href?.includes(`/tenants/${stack.tenantId}/`));
    }, "the dead letters filtered to this tenant's");
    await screenshot(page, 'console-dead-letters');
    await page.getByRole('button', { name: 'Replay all matching' }).click();
    await page.getByRole('dialog', { name: 'Replay dead letters' }).getByRole('button', { name: 'Start replay' }).click();
    await page.getByText('Done: 1 of 1 deliveries sent again.').waitFor();
    await receiver.waitForRequests(before + 1);
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).last().click();
    await page.getByText('No dead letters').waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Replays' }).click();
    await page.getByRole('table', { name: 'Replays' }).getByText('completed').first().waitFor();
  });

  it("shows a tenant's bulk jobs with their progress and the rows that failed", async () => {
    await upload(stack, ndjson([{ type: 'order.created', data: { n: 1 } }, '{not json', { type: 'order.created', data: { n: 2 } }]), 'application/x-ndjson');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bulk jobs' }).click();
    await page.getByLabel('Tenant id').fill(stack.tenantId);
    await page.getByRole('button', { name: 'Show jobs' }).click();
    // It refreshes by itself until the job is finished.
    await page.getByText('2 accepted · 1 failed · 3 total').waitFor();
    await page.getByRole('button', { name: /^Error rows of job_/ }).click();
    const rows = page.getByRole('table', { name: 'Error rows' }).getByRole('row');
    await rows.nth(1).getByRole('cell', { name: '2', exact: true }).waitFor();
    await screenshot(page, 'console-bulk-jobs');
    await page.getByRole('dialog', { name: 'Rows that failed' }).getByRole('button', { name: 'Close' }).click();
  });

  it('edits the event-type catalogue, refusing a schema that is not JSON', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Event types' }).click();
    await page.getByRole('button', { name: 'New event type' }).click();
    const dialog = page.getByRole('dialog', { name: 'New event type' });
    await dialog.getByLabel('Name').fill('shipment.delivered');
    await dialog.getByLabel('JSON Schema for data').fill('{"type": "object",');
    await dialog.getByRole('button', { name: 'Create event type' }).click();
    await dialog.getByText(/Not valid JSON/).waitFor();
    await dialog.getByLabel('JSON Schema for data').fill('{"type": "object", "required": ["trackingId"]}');
    await dialog.getByRole('button', { name: 'Create event type' }).click();
    await page.getByRole('cell', { name: 'shipment.delivered', exact: true }).waitFor();
    await screenshot(page, 'console-event-types');
  });

  it('is usable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Health' }).click();
    await page.getByRole('heading', { name: 'Health' }).waitFor();
    await page.getByRole('table', { name: 'Queue depths' }).waitFor();
    await screenshot(page, 'console-health-phone');
    // Wide tables scroll inside their card; the page itself never scrolls sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  });
});
