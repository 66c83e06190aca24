import { HOSTILE_WORKLOAD } from '@meshlens/bff';
import {
  type TraceSummary,
  topologyResponseSchema,
  tracesResponseSchema,
} from '@meshlens/contract';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../lib/browser';
import { startFixtureBff, type FixtureBff } from '../lib/fixtureBff';
import { ensureWebBuilt, screenshotPath } from '../lib/paths';
import { waitUntil } from '../lib/wait';

const T = 120_000;
const WEB = 'workload:shop/web';

let browser: Browser;
let bff: FixtureBff;
const contexts: BrowserContext[] = [];

async function newPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

async function search(query: string): Promise<TraceSummary[]> {
  const res = await fetch(`${bff.url}/api/v1/traces?${query}`);
  expect(res.status).toBe(200);
  return tracesResponseSchema.parse(await res.json()).traces;
}

beforeAll(async () => {
  const dist = ensureWebBuilt();
  browser = await launchChromium();
  bff = await startFixtureBff({ webDist: dist });
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await bff?.close();
});

describe('traces on the dashboard (fixture BFF, real Chromium)', () => {
  it(
    'the search draws a duration-over-time scatter of its results; a point opens its trace',
    async () => {
      const page = await newPage();
      await page.goto(`${bff.url}/traces?window=1h&limit=100`);
      const rows = page.getByTestId('traces-table').locator('tbody tr');
      await rows.first().waitFor();
      const points = page.getByTestId('trace-scatter').locator('.recharts-scatter-symbol');
      const expected = await search('window=1h&limit=100');
      expect(expected.length).toBeGreaterThan(10);
      await waitUntil(
        'one point per trace',
        async () => (await points.count()) === expected.length,
      );
      expect(await rows.count()).toBe(expected.length);
      await page.screenshot({ path: screenshotPath('traces-scatter'), fullPage: true });

      // Filters live in the URL: the slowest trace alone, then its point opens it.
      const slowest = expected.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
      const min = Math.floor(slowest.durationMs);
      const matching = await search(`window=1h&limit=100&minDurationMs=${min}`);
      await page
        .getByRole('spinbutton', { name: 'Minimum duration in milliseconds' })
        .fill(String(min));
      await page.getByRole('button', { name: 'Search' }).click();
      await waitUntil(
        'the filter in the URL',
        () => new URL(page.url()).searchParams.get('minDurationMs') === String(min),
      );
      await waitUntil('points of the filtered search', async () =>
        (await points.count()) === matching.length ? true : undefined,
      );
      expect(matching.map((t) => t.traceId)).toContain(slowest.traceId);
      if (matching.length === 1) {
        await points.first().locator('path').click();
        await page.getByTestId('span-row').first().waitFor();
        expect(new URL(page.url()).pathname).toBe(`/traces/${slowest.traceId}`);
      } else {
        await points.first().locator('path').click();
        await page.getByTestId('span-row').first().waitFor();
        const opened = new URL(page.url()).pathname.replace('/traces/', '');
        expect(matching.map((t) => t.traceId)).toContain(opened);
      }
    },
    T,
  );

  it(
    'selecting a node lists its traces for the window; opening one highlights its path, and the link reproduces it',
    async () => {
      const page = await newPage();
      await page.goto(`${bff.url}/namespaces/shop?window=1h`);
      const webRow = page.getByTestId('golden-signals').locator('tbody tr', { hasText: 'web' });
      await webRow.locator('td').nth(2).click();
      await waitUntil('web selected', () => new URL(page.url()).searchParams.get('sel') === WEB);
      const recent = page.getByTestId('selection-recent-traces');
      const first = recent.getByRole('button').first();
      await first.waitFor();
      const listed = await recent.getByRole('button').count();
      const expected = await search('service=web&window=1h&limit=8');
      expect(listed).toBe(expected.length);
      expect(await first.innerText()).toContain(expected[0]?.rootName ?? '?');
      await page.getByTestId('selection-slow-traces').getByRole('button').first().waitFor();

      // One that goes beyond web, so the path has calls to show.
      const index = expected.findIndex((t) => t.services.length > 1);
      const chosen = expected[index];
      expect(chosen).toBeDefined();
      await recent.getByRole('button').nth(index).click();
      await waitUntil(
        'trace in the URL',
        () => new URL(page.url()).searchParams.get('trace') === chosen?.traceId,
      );
      const banner = page.getByTestId('trace-path');
      const text = await waitUntil('path summary', async () => {
        const t = await banner.innerText();
        return /\d+ resources, \d+ calls highlighted/.test(t) ? t : undefined;
      });
      const graph = page.getByTestId('topology-graph');
      const path = await waitUntil('graph path', () => graph.getAttribute('data-path'));
      // The highlighted path is the trace's chain of services: one call fewer than resources.
      const ids = path.split(' ');
      const nodes = ids.filter((id) => !id.includes('->'));
      const edges = ids.filter((id) => id.includes('->'));
      expect(nodes).toContain(WEB);
      expect(nodes.length).toBeGreaterThan(1);
      expect(nodes.length).toBe(chosen?.services.length);
      expect(edges.length).toBe(nodes.length - 1);
      expect(
        edges.every((e) => e.startsWith(WEB) || nodes.some((n) => e.startsWith(`${n}->`))),
      ).toBe(true);
      expect(text).toContain(`${nodes.length} resources, ${edges.length} calls highlighted`);
      await page.screenshot({ path: screenshotPath('overview-trace-path'), fullPage: true });

      // The same link in a fresh browser context shows the same path.
      const other = await newPage();
      await other.goto(page.url());
      const again = await waitUntil('graph path from the link', () =>
        other.getByTestId('topology-graph').getAttribute('data-path'),
      );
      expect(again).toBe(path);
      await other.getByTestId('trace-path').getByRole('link', { name: 'Open trace' }).click();
      await other.getByTestId('span-row').first().waitFor();
      expect(new URL(other.url()).pathname).toBe(`/traces/${chosen?.traceId ?? ''}`);

      // And back from the trace view: the whole mesh around the trace's time, same path.
      await other.getByRole('link', { name: 'Show path on the graph' }).click();
      await waitUntil('overview with the trace', () => {
        const u = new URL(other.url());
        return u.pathname === '/' && u.searchParams.get('trace') === chosen?.traceId;
      });
      const fromTrace = await waitUntil('graph path from the trace view', () =>
        other.getByTestId('topology-graph').getAttribute('data-path'),
      );
      expect(fromTrace).toBe(path);
    },
    T,
  );

  it(
    'hostile names in the side panel traces and the path banner stay text',
    async () => {
      const hostile = await startFixtureBff({ webDist: ensureWebBuilt(), hostileNames: true });
      try {
        const topo = topologyResponseSchema.parse(
          await (await fetch(`${hostile.url}/api/v1/topology?kind=workload&window=1h`)).json(),
        );
        const node = topo.nodes.find((n) => n.name === HOSTILE_WORKLOAD);
        expect(node).toBeDefined();
        const page = await newPage();
        const dialogs: string[] = [];
        page.on('dialog', (d) => {
          dialogs.push(d.message());
          void d.dismiss();
        });
        await page.goto(`${hostile.url}/?window=1h&sel=${encodeURIComponent(node?.id ?? '')}`);
        const recent = page.getByTestId('selection-recent-traces');
        await recent.getByRole('button').first().click();
        const banner = page.getByTestId('trace-path');
        await waitUntil('path summary', async () =>
          /calls highlighted/.test(await banner.innerText()),
        );
        await page
          .getByTestId('topology-graph')
          .getAttribute('data-path')
          .then((p) => expect(p).toContain(node?.id));
        expect(await page.locator('img[src="x"]').count()).toBe(0);
        expect(await page.locator('#root script').count()).toBe(0);
        expect(dialogs).toEqual([]);
      } finally {
        await hostile.close();
      }
    },
    T,
  );
});
