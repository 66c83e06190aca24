import { HOSTILE_NAMESPACE, HOSTILE_WORKLOAD } from '@meshlens/bff';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../lib/browser';
import { startFixtureBff, type FixtureBff } from '../lib/fixtureBff';
import { ensureWebBuilt, screenshotPath } from '../lib/paths';
import { waitUntil } from '../lib/wait';

let browser: Browser;
let bff: FixtureBff;

beforeAll(async () => {
  const dist = ensureWebBuilt();
  browser = await launchChromium();
  bff = await startFixtureBff({ webDist: dist, hostileNames: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await bff?.close();
});

describe('untrusted names', () => {
  it('are rendered as text on every view and never run script', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const noInjectedElements = async () => {
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(await page.locator('b[onmouseover]').count()).toBe(0);
      expect(await page.locator('#root script').count()).toBe(0);
    };

    await page.goto(`${bff.url}/`);
    const table = page.getByTestId('golden-signals');
    await table.getByText(`shop/${HOSTILE_WORKLOAD}`, { exact: true }).waitFor();
    await table
      .getByText(`${HOSTILE_NAMESPACE}/"'><script>alert(3)</script>`, { exact: true })
      .waitFor();
    await noInjectedElements();
    await page
      .getByRole('combobox', { name: 'Namespace' })
      .locator('option', { hasText: HOSTILE_NAMESPACE })
      .waitFor({ state: 'attached' });
    await page.screenshot({ path: screenshotPath('xss-overview'), fullPage: true });

    // hostile app labels: the app graph's rows and the versioned-app graph's boxes
    await page.goto(`${bff.url}/?kind=app`);
    await table.getByText(`shop/${HOSTILE_WORKLOAD}`, { exact: true }).waitFor();
    await noInjectedElements();
    await page.goto(`${bff.url}/?kind=versioned-app`);
    await waitUntil('the hostile app box, as text', async () =>
      (await page.getByTestId('topology-graph').getAttribute('data-boxes'))?.includes(
        `${HOSTILE_WORKLOAD}: v1`,
      ),
    );
    await noInjectedElements();
    await page.goto(`${bff.url}/`);

    await table.getByRole('link', { name: `shop/${HOSTILE_WORKLOAD}` }).click();
    await waitUntil(
      'resource title',
      async () => (await page.getByTestId('resource-title').innerText()) === HOSTILE_WORKLOAD,
    );
    await page.getByRole('tab', { name: 'Edges' }).click();
    await page
      .getByTestId('edges-outbound')
      .getByText(`${HOSTILE_NAMESPACE}/"'><script>alert(3)</script>`)
      .waitFor();
    await noInjectedElements();
    await page.screenshot({ path: screenshotPath('xss-resource'), fullPage: true });

    await page.goto(`${bff.url}/traces?service=${encodeURIComponent(HOSTILE_WORKLOAD)}`);
    const traces = page.getByTestId('traces-table').locator('tbody tr');
    if ((await traces.count().catch(() => 0)) === 0) {
      await page.goto(`${bff.url}/traces`);
    }
    await page.getByTestId('traces-table').locator('tbody tr').first().waitFor();
    await noInjectedElements();

    await page.goto(`${bff.url}/controlplane?q=${encodeURIComponent('<img')}`);
    await page.getByTestId('targets-table').waitFor();
    await noInjectedElements();
    expect(dialogs).toEqual([]);
    await ctx.close();
  }, 90_000);
});
