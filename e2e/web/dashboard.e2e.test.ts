import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../lib/browser';
import { startFixtureBff, type FixtureBff } from '../lib/fixtureBff';
import { ensureWebBuilt, screenshotPath } from '../lib/paths';
import { waitUntil } from '../lib/wait';

const BASE = '/meshlens';
const T = 60_000;
const PERCENT = /^(100|\d{1,2}\.\d{2})%$/;

let browser: Browser;
let bff: FixtureBff;
const contexts: BrowserContext[] = [];

async function newPage(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

async function cellTexts(page: Page, testId: string, rowName: string): Promise<string[]> {
  const row = page.getByTestId(testId).locator('tbody tr', { hasText: rowName }).first();
  await row.waitFor();
  return row.locator('td').allInnerTexts();
}

beforeAll(async () => {
  const dist = ensureWebBuilt();
  browser = await launchChromium();
  bff = await startFixtureBff({ webDist: dist, basePath: BASE });
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await bff?.close();
});

describe('dashboard views (fixture BFF under a base path)', () => {
  it(
    'overview: topology and golden signals with real numbers',
    async () => {
      const page = await newPage();
      await page.goto(`${bff.url}/`);
      const cells = await cellTexts(page, 'golden-signals', 'shop/web');
      // Name, Meshed, Success, RPS, P50, P95, P99, TCP, trend
      expect(cells[1]).toBe('3/3');
      expect(cells[2]).toMatch(PERCENT);
      expect(Number(cells[3])).toBeGreaterThan(0);
      expect(cells[4]).toMatch(/^\d+(\.\d+)?(ms|s|µs)$/);
      await page.getByTestId('topology-graph').locator('canvas').first().waitFor();
      const payments = await cellTexts(page, 'golden-signals', 'payments/payments');
      // Below the 90% threshold: coloured as failing.
      const failing = page
        .getByTestId('golden-signals')
        .locator('tbody tr', { hasText: 'payments/payments' })
        .locator('.sr-failing');
      expect(await failing.count()).toBe(1);
      expect(payments[2]).toMatch(PERCENT);
      expect(Number(payments[2]?.replace('%', ''))).toBeLessThan(90);
      await page.screenshot({ path: screenshotPath('overview'), fullPage: true });

      await page.goto(`${bff.url}/namespaces/shop?sort=name`);
      const names = await waitUntil('sorted shop rows', async () => {
        const t = await page
          .getByTestId('golden-signals')
          .locator('tbody tr td:first-child')
          .allInnerTexts();
        return t.length === 4 ? t : undefined;
      });
      expect(names).toEqual(['cart', 'catalog', 'checkout', 'web']);
      await page.screenshot({ path: screenshotPath('overview-namespace'), fullPage: true });

      // The dark theme follows the system preference.
      const dark = await newPage('dark');
      await dark.goto(`${bff.url}/namespaces/payments`);
      await dark.getByTestId('golden-signals').locator('tbody tr').first().waitFor();
      // e2e compiles without the DOM lib; the callback runs in the page, where it exists.
      type Styles = { getComputedStyle(e: unknown): { backgroundColor: string } };
      const bg = await dark
        .locator('body')
        .evaluate((b) => (globalThis as unknown as Styles).getComputedStyle(b).backgroundColor);
      expect(bg).toBe('rgb(15, 19, 24)');
      await dark.screenshot({ path: screenshotPath('overview-dark'), fullPage: true });
    },
    T,
  );

  it(
    'resource page: headline, charts, edges, instances and traces',
    async () => {
      const page = await newPage();
      await page.goto(`${bff.url}/namespaces/shop/workload/checkout?window=5m`);
      const sr = page.getByTestId('headline-Success rate');
      await waitUntil('headline success rate', async () => PERCENT.test(await sr.innerText()));
      expect(await page.getByTestId('headline-Meshed').innerText()).toBe('2/2');
      await page.locator('.recharts-line').first().waitFor();
      await page.getByTestId('latency-histogram').waitFor();
      await page.screenshot({ path: screenshotPath('resource-metrics'), fullPage: true });
      // A slow bucket's exemplar opens the real trace.
      const exemplar = page.getByTestId('latency-histogram').getByRole('link').last();
      const href = await exemplar.getAttribute('href');
      expect(href).toMatch(/\/traces\/[0-9a-f]{32}$/);
      await exemplar.click();
      await page.getByTestId('span-row').first().waitFor();
      await page.goBack();
      await page.getByTestId('latency-histogram').waitFor();

      await page.getByRole('tab', { name: 'Edges' }).click();
      expect(new URL(page.url()).searchParams.get('tab')).toBe('edges');
      const inbound = await cellTexts(page, 'edges-inbound', 'shop/cart');
      expect(inbound[1]).toMatch(PERCENT);
      const outbound = await page
        .getByTestId('edges-outbound')
        .locator('tbody tr td:first-child')
        .allInnerTexts();
      expect([...outbound].sort()).toEqual(['payments/payments', 'platform/auth']);
      await page.screenshot({ path: screenshotPath('resource-edges'), fullPage: true });

      await page.getByRole('tab', { name: 'Instances' }).click();
      const pods = await waitUntil('two pods', async () => {
        const t = await page.getByTestId('instances').locator('tbody tr').count();
        return t === 2 ? t : undefined;
      });
      expect(pods).toBe(2);

      await page.getByRole('tab', { name: 'Traces' }).click();
      await page.getByTestId('recent-traces').locator('tbody tr').first().waitFor();
      await page.screenshot({ path: screenshotPath('resource-traces'), fullPage: true });
    },
    T,
  );

  it(
    'traces: search and the trace waterfall',
    async () => {
      const page = await newPage();
      await page.goto(`${bff.url}/traces?error=true`);
      const first = page.getByTestId('traces-table').locator('tbody tr').first();
      await first.waitFor();
      const errors = await page
        .getByTestId('traces-table')
        .locator('tbody tr td:last-child')
        .allInnerTexts();
      expect(errors.every((e) => Number(e) > 0)).toBe(true);
      await page.screenshot({ path: screenshotPath('traces'), fullPage: true });
      await first.locator('a').first().click();
      await page.getByTestId('span-row').first().waitFor();
      expect(page.url()).toMatch(new RegExp(`${BASE}/traces/[0-9a-f]{32}$`));
      const rows = await page.getByTestId('span-row').count();
      expect(rows).toBeGreaterThan(1);
      expect(await page.locator('.wf-row.error').count()).toBeGreaterThan(0);
      await page.getByTestId('span-row').nth(1).click();
      expect(new URL(page.url()).searchParams.get('span')).toMatch(/^[0-9a-f]{16}$/);
      await page.getByTestId('span-detail').waitFor();
      await page.screenshot({ path: screenshotPath('trace-view'), fullPage: true });
      // Collapsing the root hides every other span.
      await page
        .getByRole('button', { name: /Collapse \d+ child spans/ })
        .first()
        .click();
      await waitUntil('collapsed', async () => (await page.getByTestId('span-row').count()) < rows);
    },
    T,
  );

  it(
    'mesh health: scrape targets with health and last error',
    async () => {
      const page = await newPage();
      await page.goto(`${bff.url}/controlplane?health=down`);
      const down = await cellTexts(page, 'targets-table', 'legacy-billing');
      expect(down[1]).toBe('down');
      expect(down[7]).toBe('connect ECONNREFUSED 10.0.99.9:4191');
      const up = await page.getByTestId('targets-up').innerText();
      expect(up).toMatch(/^\d+\/\d+$/);
      const [ok, total] = up.split('/').map(Number);
      expect(total).toBe((ok ?? 0) + 1);
      await page.screenshot({ path: screenshotPath('mesh-health'), fullPage: true });
    },
    T,
  );
});

describe('behaviour', () => {
  it(
    'a link copied in one browser context opens the same view in another',
    async () => {
      const a = await newPage();
      await a.goto(`${bff.url}/namespaces/shop?sort=-p99&window=15m`);
      await a.getByTestId('golden-signals').locator('tbody tr').first().waitFor();
      await a.getByRole('searchbox', { name: 'Filter by name' }).fill('c');
      await a.getByRole('button', { name: 'Copy link' }).click();
      await a.getByLabel('Pin the time range (absolute from/to)').check();
      const link = await a.getByRole('textbox', { name: 'Shareable link' }).inputValue();
      const u = new URL(link);
      expect(u.pathname).toBe(`${BASE}/namespaces/shop`);
      expect(u.searchParams.get('sort')).toBe('-p99');
      expect(u.searchParams.get('q')).toBe('c');
      expect(u.searchParams.has('window')).toBe(false);
      const from = Number(u.searchParams.get('from'));
      const to = Number(u.searchParams.get('to'));
      expect(to - from).toBe(15 * 60_000);
      const rowsA = await a
        .getByTestId('golden-signals')
        .locator('tbody tr td:first-child')
        .allInnerTexts();

      const b = await newPage();
      await b.goto(link);
      await b.getByTestId('golden-signals').locator('tbody tr').first().waitFor();
      expect(await b.getByRole('searchbox', { name: 'Filter by name' }).inputValue()).toBe('c');
      expect(await b.getByRole('combobox', { name: 'Namespace' }).inputValue()).toBe('shop');
      expect(await b.getByTestId('pinned-range').innerText()).toContain('→');
      const rowsB = await b
        .getByTestId('golden-signals')
        .locator('tbody tr td:first-child')
        .allInnerTexts();
      expect(rowsB).toEqual(rowsA);
      expect(rowsB).toEqual(['checkout', 'cart', 'catalog']);
      expect(b.url()).toBe(link);
      await b.screenshot({ path: screenshotPath('shared-link'), fullPage: true });
    },
    T,
  );

  it(
    'pausing stops requests; resuming starts them again',
    async () => {
      const page = await newPage();
      let apiRequests = 0;
      page.on('request', (r) => {
        if (r.url().includes('/api/v1/')) apiRequests++;
      });
      await page.goto(`${bff.url}/?refresh=2s`);
      await page.getByTestId('golden-signals').locator('tbody tr').first().waitFor();
      const start = apiRequests;
      await waitUntil('refresh requests', () => apiRequests >= start + 2, 15_000);
      await page.getByRole('button', { name: 'Pause' }).click();
      expect(new URL(page.url()).searchParams.get('refresh')).toBe('off');
      // Let in-flight requests settle, then prove silence over more than two refresh intervals.
      await page.waitForLoadState('networkidle');
      const paused = apiRequests;
      await page.waitForTimeout(5000);
      expect(apiRequests).toBe(paused);
      await page.getByRole('button', { name: 'Resume' }).click();
      await waitUntil('requests after resume', () => apiRequests > paused, 15_000);
    },
    T,
  );

  it(
    'an outage shows the stale state with its reason, keeps the data, and recovers',
    async () => {
      const page = await newPage();
      await page.goto(`${bff.url}/?refresh=2s`);
      await page.getByTestId('golden-signals').locator('tbody tr').first().waitFor();
      bff.source.setDown(true);
      const notice = page.getByTestId('stale-notice');
      await notice.waitFor({ timeout: 20_000 });
      expect(await notice.innerText()).toContain('simulated outage');
      expect(await page.getByTestId('golden-signals').locator('tbody tr').count()).toBeGreaterThan(
        0,
      );
      await page.screenshot({ path: screenshotPath('outage-stale'), fullPage: true });
      bff.source.setDown(false);
      await notice.waitFor({ state: 'detached', timeout: 20_000 });

      // The BFF itself going away: same notice, then recovery when it listens again.
      await bff.stopServer();
      await notice.waitFor({ timeout: 20_000 });
      expect(await notice.innerText()).toContain('not answering');
      await page.screenshot({ path: screenshotPath('outage-bff-down'), fullPage: true });
      await bff.restartServer();
      await notice.waitFor({ state: 'detached', timeout: 20_000 });
      expect(await page.getByTestId('golden-signals').locator('tbody tr').count()).toBeGreaterThan(
        0,
      );
    },
    T,
  );
});
