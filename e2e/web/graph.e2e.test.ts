// The graph and time (issue 14) in headless Chromium against the fixture BFF: graph types,
// namespace boxes collapse/expand, find/hide from the URL, replay to a past instant the API
// confirms, and a comparison opened from a copied link in another browser context.
import { topologyResponseSchema, type TopologyResponse } from '@meshlens/contract';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../lib/browser';
import { startFixtureBff, type FixtureBff } from '../lib/fixtureBff';
import { ensureWebBuilt } from '../lib/paths';
import { waitUntil } from '../lib/wait';

const BASE = '/meshlens';
const T = 150_000;

let browser: Browser;
let bff: FixtureBff;
const contexts: BrowserContext[] = [];

async function newPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

async function topology(query: string): Promise<TopologyResponse> {
  const res = await fetch(`${bff.url}/api/v1/topology?${query}`);
  return topologyResponseSchema.parse(await res.json());
}

/** The graph describes itself to assistive technology; that text is what we check. */
async function graphLabel(page: Page, pattern: RegExp): Promise<string> {
  return waitUntil(
    `graph label matching ${String(pattern)}`,
    async () => {
      const label = await page.getByTestId('topology-graph').getAttribute('aria-label');
      return label !== null && pattern.test(label) ? label : undefined;
    },
    30_000,
  );
}

async function rowCells(page: Page, name: string): Promise<string[]> {
  const row = page.getByTestId('golden-signals').locator('tbody tr', { hasText: name }).first();
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

describe('graph (fixture BFF)', () => {
  it(
    'workload and service graphs show what the API returns',
    async () => {
      const page = await newPage();
      for (const kind of ['workload', 'service'] as const) {
        const api = await topology(`kind=${kind}`);
        await page.goto(`${bff.url}/?kind=${kind}&boxes=0`);
        const label = await graphLabel(page, /^Topology of \d+ nodes/);
        expect(label).toBe(`Topology of ${api.nodes.length} nodes and ${api.edges.length} edges`);
      }
    },
    T,
  );

  it(
    'namespaces collapse and expand; the link keeps it',
    async () => {
      const page = await newPage();
      const api = await topology('kind=workload');
      const shop = api.nodes.filter((n) => n.namespace === 'shop').length;
      await page.goto(`${bff.url}/?collapse=shop`);
      // shop's resources became one node; calls inside shop went with them
      const inside = api.edges.filter(
        (e) => e.source.includes(':shop/') && e.target.includes(':shop/'),
      ).length;
      expect(inside).toBeGreaterThan(0);
      const collapsedNodes = api.nodes.length - shop + 1;
      await graphLabel(
        page,
        new RegExp(`^Topology of ${collapsedNodes} nodes .*1 namespaces collapsed`),
      );
      const chip = page
        .getByRole('group', { name: 'Namespaces' })
        .getByRole('button', { name: /shop/ });
      expect(await chip.getAttribute('aria-pressed')).toBe('true');
      await chip.click();
      await graphLabel(
        page,
        new RegExp(`^Topology of ${api.nodes.length} nodes and ${api.edges.length} edges$`),
      );
      expect(new URL(page.url()).searchParams.get('collapse')).toBe('');
      await page.getByRole('button', { name: 'Collapse all' }).click();
      const namespaces = new Set(api.nodes.map((n) => n.namespace)).size;
      await graphLabel(
        page,
        new RegExp(`^Topology of ${namespaces} nodes .*${namespaces} namespaces collapsed`),
      );
      expect(new URL(page.url()).searchParams.get('collapse')).toBe('*');
    },
    T,
  );

  it(
    'find and hide from the URL, with an inline error for a bad expression',
    async () => {
      const page = await newPage();
      const api = await topology('kind=workload');
      const platform = api.nodes.filter((n) => n.namespace === 'platform');
      const failing = api.nodes.filter(
        (n) => n.namespace !== 'platform' && n.successRate !== null && n.successRate < 0.9,
      );
      expect(platform.length).toBeGreaterThan(0);
      expect(failing.length).toBeGreaterThan(0);
      const q = new URLSearchParams({ find: 'sr < 90', hide: 'ns = platform', boxes: '0' });
      await page.goto(`${bff.url}/?${q.toString()}`);
      await graphLabel(page, new RegExp(`${platform.length} hidden, ${failing.length} matching$`));
      // hidden resources leave the table too
      const names = await page
        .getByTestId('golden-signals')
        .locator('tbody tr td:first-child')
        .allInnerTexts();
      expect(names.some((n) => n.startsWith('platform/'))).toBe(false);
      expect(await page.getByRole('searchbox', { name: 'Find' }).inputValue()).toBe('sr < 90');

      await page.goto(`${bff.url}/?find=${encodeURIComponent('rps >')}`);
      const alert = page.getByRole('alert').filter({ hasText: 'expected a value' });
      expect(await alert.innerText()).toBe('expected a value after ">" at the end (at column 6)');
      // the bad expression is not applied: the whole graph is there
      await graphLabel(page, new RegExp(`^Topology of ${api.nodes.length} nodes`));
    },
    T,
  );

  it(
    'replay moves graph and table to a past instant that the API confirms',
    async () => {
      const page = await newPage();
      const at = Math.floor((Date.now() - 30 * 60_000) / 10_000) * 10_000;
      const first = page.waitForResponse(
        (r) => r.url().includes('/api/v1/topology') && r.url().includes(`to=${at}`),
      );
      await page.goto(`${bff.url}/?at=${at}`);
      const res = await first;
      expect(new URL(res.url()).searchParams.get('from')).toBe(String(at - 60_000));
      const body = topologyResponseSchema.parse(await res.json());
      expect(body.window).toEqual({ from: at - 60_000, to: at });
      const web = body.nodes.find((n) => n.namespace === 'shop' && n.name === 'web');
      const cells = await rowCells(page, 'shop/web');
      expect(Math.abs(Number(cells[3]) - (web?.rps ?? Number.NaN))).toBeLessThan(0.051);
      await page.getByTestId('replay-instant').waitFor();

      // one step back with the keyboard on the slider: the URL and the data follow
      const back = page.waitForResponse(
        (r) => r.url().includes('/api/v1/topology') && r.url().includes(`to=${at - 10_000}`),
      );
      const slider = page.getByRole('slider', { name: 'Replay instant' });
      await slider.focus();
      await page.keyboard.press('ArrowLeft');
      const moved = topologyResponseSchema.parse(await (await back).json());
      expect(moved.window.to).toBe(at - 10_000);
      await waitUntil(
        'URL at the new instant',
        () => new URL(page.url()).searchParams.get('at') === String(at - 10_000),
      );
      const movedWeb = moved.nodes.find((n) => n.namespace === 'shop' && n.name === 'web');
      await waitUntil('table at the new instant', async () => {
        const c = await rowCells(page, 'shop/web');
        return Math.abs(Number(c[3]) - (movedWeb?.rps ?? Number.NaN)) < 0.051;
      });
      await page.getByRole('button', { name: 'Back to live' }).click();
      await waitUntil('live again', () => !new URL(page.url()).searchParams.has('at'));
    },
    T,
  );

  it(
    'compare two pinned ranges, opened from a copied link in another context',
    async () => {
      const page = await newPage();
      await page.goto(`${bff.url}/?window=15m`);
      await rowCells(page, 'shop/web');
      await page
        .getByRole('combobox', { name: 'Compare with' })
        .selectOption({ label: 'the same period 1 hour earlier' });
      await waitUntil('both ranges in the URL', () =>
        new URL(page.url()).searchParams.has('cfrom'),
      );
      await page.getByRole('button', { name: 'Copy link' }).click();
      const link = await page.getByRole('textbox', { name: 'Shareable link' }).inputValue();
      const p = new URL(link).searchParams;
      const [from, to, cfrom, cto] = ['from', 'to', 'cfrom', 'cto'].map((k) => Number(p.get(k)));
      expect((to ?? 0) - (from ?? 0)).toBe(15 * 60_000);
      expect([(from ?? 0) - (cfrom ?? 0), (to ?? 0) - (cto ?? 0)]).toEqual([3_600_000, 3_600_000]);

      const other = await newPage();
      await other.goto(link);
      expect(await other.getByTestId('compare-ranges').innerText()).toBe(
        await page.getByTestId('compare-ranges').innerText(),
      );
      const now = await topology(`from=${from}&to=${to}`);
      const then = await topology(`from=${cfrom}&to=${cto}`);
      const rps = (t: TopologyResponse) =>
        t.nodes.find((n) => n.id === 'workload:shop/web')?.rps ?? 0;
      const pct = ((rps(now) - rps(then)) / rps(then)) * 100;
      // the Δ columns appear once the compared range has loaded, not with the first paint
      const col = await waitUntil('a Δ RPS column', async () => {
        const headers = await other
          .getByTestId('golden-signals')
          .locator('thead th')
          .allInnerTexts();
        const i = headers.findIndex((h) => h.startsWith('Δ RPS'));
        return i > 0 ? i : undefined;
      });
      const cell = await waitUntil('delta cell', async () => {
        const c = (await rowCells(other, 'shop/web'))[col];
        return c && c !== '—' ? c : undefined;
      });
      const shown = Number(cell.replace('−', '-').replace('±', '').replace('%', ''));
      expect(Math.abs(shown - pct)).toBeLessThanOrEqual(0.5);
      // and the table sorts by the change
      await other.getByRole('button', { name: /Δ RPS/ }).click();
      await waitUntil('sorted by change', () =>
        new URL(other.url()).searchParams.get('sort')?.includes('drps'),
      );
    },
    T,
  );
});
