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

/** Which boxes hold what, as the graph drew them (`box: member, member | box: ...`). */
async function graphBoxes(page: Page, pattern: RegExp): Promise<string> {
  return waitUntil(
    `graph boxes matching ${String(pattern)}`,
    async () => {
      const boxes = await page.getByTestId('topology-graph').getAttribute('data-boxes');
      return boxes !== null && pattern.test(boxes) ? boxes : undefined;
    },
    30_000,
  );
}

/** The app (or, without one, the id) of each workload-graph node, as the app graph folds it. */
function appIdOf(api: TopologyResponse): (id: string) => string {
  const apps = new Map(
    api.nodes.map((n) => [n.id, n.app === undefined ? n.id : `app ${n.namespace}/${n.app}`]),
  );
  return (id) => apps.get(id) ?? id;
}

function percent(ok: number, bad: number): string {
  const v = (ok / (ok + bad)) * 100;
  return v === 100 ? '100%' : `${v.toFixed(2)}%`;
}

async function rowCells(page: Page, name: string): Promise<string[]> {
  const row = page.getByTestId('golden-signals').locator('tbody tr', { hasText: name }).first();
  await row.waitFor();
  return row.locator('td').allInnerTexts();
}

beforeAll(async () => {
  const dist = ensureWebBuilt();
  browser = await launchChromium();
  // the reviews canary gives the app graphs an app with two versions
  bff = await startFixtureBff({ webDist: dist, basePath: BASE, canary: true });
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
    'the app graph folds versions into one node, with counts summed over a pinned range',
    async () => {
      const to = Math.floor(Date.now() / 1000) * 1000 - 60_000;
      const range = `from=${to - 300_000}&to=${to}`;
      const api = await topology(`kind=workload&${range}`);
      const versions = api.nodes.filter((n) => n.app === 'reviews');
      expect(versions.map((n) => [n.name, n.version])).toEqual([
        ['reviews-v1', 'v1'],
        ['reviews-v2', 'v2'],
      ]);
      const appOf = appIdOf(api);
      const apps = new Set(api.nodes.map((n) => appOf(n.id)));
      const calls = new Set(api.edges.map((e) => `${appOf(e.source)}->${appOf(e.target)}`));
      expect(apps.size).toBe(api.nodes.length - 1);
      const page = await newPage();
      await page.goto(`${bff.url}/?kind=app&boxes=0&${range}`);
      const label = await graphLabel(page, /^Topology of \d+ nodes/);
      expect(label).toBe(`Topology of ${apps.size} nodes and ${calls.size} edges`);
      expect(
        await page
          .getByRole('group', { name: 'Graph type' })
          .getByRole('button', { name: 'Apps', exact: true })
          .getAttribute('aria-pressed'),
      ).toBe('true');
      // success of the app comes from the summed counts of both versions
      const ok = versions.reduce((a, n) => a + n.requests.success, 0);
      const bad = versions.reduce((a, n) => a + n.requests.failure, 0);
      const cells = await rowCells(page, 'shop/reviews');
      expect(cells[2]).toBe(percent(ok, bad));
      expect(Number(cells[3])).toBeCloseTo(
        versions.reduce((a, n) => a + n.rps, 0),
        1,
      );
      // its panel names the versions and says its percentiles are a maximum
      await page.goto(
        `${bff.url}/?kind=app&boxes=0&${range}&sel=${encodeURIComponent('service:shop/reviews')}`,
      );
      expect(await page.getByTestId('app-versions').innerText()).toBe('App of 2 versions: v1, v2');
      await page.getByText('Max of P50 / P95 / P99').waitFor();
    },
    T,
  );

  it(
    'the versioned-app graph boxes the versions of each app, inside their namespace',
    async () => {
      const api = await topology('kind=workload');
      const page = await newPage();
      await page.goto(`${bff.url}/?kind=versioned-app`);
      await graphLabel(page, new RegExp(`^Topology of ${api.nodes.length} nodes`));
      const boxes = await graphBoxes(page, /reviews: v1, v2/);
      // one box for reviews holding exactly its two versions, itself in the shop box
      expect(boxes.split(' | ')).toContain('reviews: v1, v2');
      const shop = boxes.split(' | ').find((b) => b.startsWith('shop: '));
      expect(shop?.split(': ')[1]?.split(', ')).toContain('reviews');
      expect(new URL(page.url()).searchParams.get('kind')).toBe('versioned-app');
    },
    T,
  );

  it(
    'one source holding two clusters shows a box per cluster around its namespace boxes',
    async () => {
      const multi = await startFixtureBff({
        webDist: ensureWebBuilt(),
        basePath: BASE,
        clusters: true,
      });
      try {
        const res = await fetch(`${multi.url}/api/v1/topology?kind=workload`);
        const api = topologyResponseSchema.parse(await res.json());
        expect([...new Set(api.nodes.map((n) => `${n.namespace}@${n.cluster}`))].sort()).toEqual([
          'payments@east',
          'platform@west',
          'shop@east',
        ]);
        const page = await newPage();
        await page.goto(`${multi.url}/`);
        const boxes = await graphBoxes(page, /east: /);
        expect(boxes.split(' | ').filter((b) => /^(east|west): /.test(b))).toEqual([
          'east: payments, shop',
          'west: platform',
        ]);
        // a folded namespace stays in its cluster's box
        await page.goto(`${multi.url}/?collapse=platform`);
        await graphBoxes(page, /west: platform ▸ 2/);
      } finally {
        await multi.close();
      }
    },
    T,
  );

  it(
    'the side panel of an edge: its signals, the routes of the service it calls, both ends',
    async () => {
      const page = await newPage();
      const sel = encodeURIComponent('service:shop/web->service:shop/catalog');
      await page.goto(`${bff.url}/?kind=app&sel=${sel}`);
      const panel = page.getByTestId('edge-detail');
      await panel.waitFor();
      expect(await panel.getByRole('link').allInnerTexts()).toEqual(['shop/web', 'shop/catalog']);
      const routes = panel.getByRole('list', { name: 'Top routes' });
      expect(await routes.locator('li .mono-name').allInnerTexts()).toEqual(['default']);
      expect(await routes.innerText()).toMatch(/^default [\d.]+ rps · [\d.]+%/);
      // the edge's trend is recorded at each refresh while it stays selected
      await waitUntil(
        'an RPS trend line',
        async () => {
          const d = panel.getByRole('img', { name: 'RPS trend' }).locator('path');
          return (await d.count()) > 0 && ((await d.getAttribute('d')) ?? '').includes('L');
        },
        60_000,
      );
      // its traces: through both ends
      await page.getByRole('heading', { name: 'Recent traces' }).waitFor();
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
      // 95 %: no fixture workload's success rate wave crosses it (reviews v2 waves around 90 %,
      // so a 90 % threshold counted it differently from one second to the next)
      const failing = api.nodes.filter(
        (n) => n.namespace !== 'platform' && n.successRate !== null && n.successRate < 0.95,
      );
      expect(platform.length).toBeGreaterThan(0);
      expect(failing.length).toBeGreaterThan(0);
      const q = new URLSearchParams({ find: 'sr < 95', hide: 'ns = platform', boxes: '0' });
      await page.goto(`${bff.url}/?${q.toString()}`);
      await graphLabel(page, new RegExp(`${platform.length} hidden, ${failing.length} matching$`));
      // hidden resources leave the table too
      const names = await page
        .getByTestId('golden-signals')
        .locator('tbody tr td:first-child')
        .allInnerTexts();
      expect(names.some((n) => n.startsWith('platform/'))).toBe(false);
      expect(await page.getByRole('searchbox', { name: 'Find' }).inputValue()).toBe('sr < 95');

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
