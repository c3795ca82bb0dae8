import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

const ROOT = join(__dirname, '..', '..');
export const SCREENSHOTS = join(__dirname, 'screenshots');

/**
 * Builds dist/web when its sources changed (stamped, so a no-op most runs): `npx jest` alone works.
 * Test files run in parallel workers; a lock directory keeps two builds from emptying dist/web under
 * each other.
 */
export function ensureWebUiBuilt(): void {
  const lock = join(ROOT, 'node_modules', '.hookline', 'web-build.lock');
  mkdirSync(join(lock, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than two minutes belongs to a process that died mid-build.
      if (Date.now() - lockAge(lock) > 120_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'prepare.js')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockAge(lock: string): number {
  try {
    return statSync(lock).mtimeMs;
  } catch {
    return Date.now();
  }
}

/** One headless Chromium per test file (Debian's, no download). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * Collects what a customer must never see in the console: CSP violations, uncaught errors. Failed
 * API calls are the tests' business (a 404 page is expected), so those are not counted.
 */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
  });
  return problems;
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/**
 * Controls a screen reader could not name: buttons and links without text or aria-label, form
 * fields without a label. Each is described by its HTML so a failure says which one.
 */
export function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const named = (el) => {
      if ((el.getAttribute('aria-label') || '').trim()) return true;
      const by = el.getAttribute('aria-labelledby');
      if (by && by.split(/\\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
      if (el.matches('input, select, textarea')) return el.labels && el.labels.length > 0 && [...el.labels].some((l) => l.textContent.trim());
      return (el.textContent || '').trim().length > 0;
    };
    return [...document.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea, [role=button], [role=tab]')]
      .filter((el) => !named(el))
      .map((el) => el.outerHTML.slice(0, 120));
  })()`);
}

/**
 * Polls `check` from the test side until it holds. Page-side polling (`waitForFunction` with a
 * string) would need `eval`, which the pages' CSP rightly refuses.
 */
export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
