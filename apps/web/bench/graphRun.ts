// One measured opening of the synthetic-graph page (`/_bench/graph`): when the graph is built,
// painted and usable, and the frame rate while a real mouse pans and wheel-zooms it. Real input
// matters: cytoscape's viewport shortcuts (`textureOnViewport`, `hideEdgesOnViewport`) apply
// only during user gestures, never to programmatic `panBy`/`zoom` calls.
import type { Browser, Page } from 'playwright-core';

export type GraphVariant = 'canvas' | 'light' | 'webgl';
export type GraphMode = 'boxes' | 'flat' | 'collapsed';

export interface GraphRun {
  /** navigation start to graph built (elements added, page clock) */
  builtMs: number;
  /** navigation start to the frame after the one that drew the graph */
  paintedMs: number;
  /** navigation start to the end of the first 5 frames in a row under 100 ms each after painting */
  usableMs: number;
  layoutMs: number;
  /** nodes drawn when the page opened (collapsed: the folded namespaces) */
  openNodeCount: number;
  nodeCount: number;
  edgeCount: number;
  panFps: number;
  zoomFps: number;
  /** rAF rate of the same page with nothing moving */
  idleFps: number;
  /** one poll of a live mesh (every rate moved): time to push it, and the longest frame meanwhile */
  refresh: { syncMs: number; longestFrameMs: number };
  /** collapsed mode: "Expand all" click to painted and to usable (gestures then run expanded) */
  expand?: { paintedMs: number; usableMs: number; nodeCount: number } | undefined;
}

// Page-side code is passed as strings: tsx adds helpers (__name) that do not exist in the page.
/** Every animation frame's timestamp from the start: the page's own record of responsiveness. */
export const FRAMES_SCRIPT = `
  window.__frames = [];
  const tick = (t) => { if (window.__frames.length < 100000) window.__frames.push(t); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
`;

const USABLE_SCRIPT = (after: string) => `new Promise((resolve) => {
  const check = () => {
    const start = ${after};
    const f = window.__frames.filter((t) => t >= start);
    for (let i = 0; i + 5 < f.length; i++) {
      let ok = true;
      for (let k = i + 1; k <= i + 5; k++) if (f[k] - f[k - 1] >= 100) { ok = false; break; }
      if (ok) return resolve(f[i + 5]);
    }
    setTimeout(check, 50);
  };
  check();
})`;

const FRAMES_BETWEEN = (a: number, b: number) =>
  `window.__frames.filter((t) => t > ${a} && t <= ${b}).length`;

async function now(page: Page): Promise<number> {
  return Number(await page.evaluate('performance.now()'));
}

async function viewport(page: Page): Promise<{ zoom: number; x: number; y: number }> {
  return page.evaluate<{ zoom: number; x: number; y: number }>('window.__meshlensGraph.viewport()');
}

/** Drags the background in circles for `ms`: frames per second while panning. */
export async function panGesture(page: Page, ms: number): Promise<number> {
  const box = await page.getByTestId('topology-graph').boundingBox();
  if (!box) throw new Error('graph container has no box');
  // The fit leaves a 30 px margin: a corner is background, so the drag pans instead of moving a node.
  const x0 = box.x + 6;
  const y0 = box.y + 6;
  const before = await viewport(page);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  const t0 = await now(page);
  let t = t0;
  for (let i = 1; t - t0 < ms; i++) {
    await page.mouse.move(x0 + 120 + 100 * Math.cos(i / 8), y0 + 120 + 100 * Math.sin(i / 8));
    if (i % 10 === 0) t = await now(page);
  }
  const end = await now(page);
  await page.mouse.up();
  const after = await viewport(page);
  if (after.x === before.x && after.y === before.y) throw new Error('the drag did not pan');
  return Number(await page.evaluate(FRAMES_BETWEEN(t0, end))) / ((end - t0) / 1000);
}

/** Wheel-zooms in and out at the centre for `ms`: frames per second while zooming. */
export async function zoomGesture(page: Page, ms: number): Promise<number> {
  const box = await page.getByTestId('topology-graph').boundingBox();
  if (!box) throw new Error('graph container has no box');
  const before = await viewport(page);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const t0 = await now(page);
  let t = t0;
  for (let i = 0; t - t0 < ms; i++) {
    await page.mouse.wheel(0, i % 20 < 10 ? -60 : 60);
    if (i % 5 === 0) t = await now(page);
  }
  const end = await now(page);
  if ((await viewport(page)).zoom === before.zoom) throw new Error('the wheel did not zoom');
  return Number(await page.evaluate(FRAMES_BETWEEN(t0, end))) / ((end - t0) / 1000);
}

/** Waits until the page draws 5 frames in a row under 100 ms each (a gesture's redraw is over). */
async function quiet(page: Page): Promise<void> {
  const t = await now(page);
  await page.evaluate(USABLE_SCRIPT(String(t)));
}

/** Clicks the page's Refresh (every rate changes) and measures what the user feels. */
async function refresh(page: Page): Promise<GraphRun['refresh']> {
  const before = Number(await page.evaluate('window.__meshlensGraph.lastSyncMs()'));
  const t0 = await now(page);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.waitForFunction(`window.__meshlensGraph.lastSyncMs() !== ${String(before)}`, null, {
    timeout: 120_000,
  });
  await quiet(page);
  const t1 = await now(page);
  const frames = await page.evaluate<number[]>(
    `window.__frames.filter((t) => t >= ${t0} && t <= ${t1})`,
  );
  let longest = 0;
  for (let i = 1; i < frames.length; i++)
    longest = Math.max(longest, (frames[i] ?? 0) - (frames[i - 1] ?? 0));
  return {
    syncMs: Number(await page.evaluate('window.__meshlensGraph.lastSyncMs()')),
    longestFrameMs: longest,
  };
}

async function idleFps(page: Page): Promise<number> {
  const t0 = await now(page);
  await page.waitForFunction(`performance.now() > ${t0 + 1000}`, null, { polling: 100 });
  const t1 = await now(page);
  return Number(await page.evaluate(FRAMES_BETWEEN(t0, t1))) / ((t1 - t0) / 1000);
}

async function waitPainted(page: Page): Promise<{ built: number; painted: number }> {
  await page.waitForFunction('window.__meshlensGraphPaintedAt !== undefined', null, {
    timeout: 300_000,
    polling: 100,
  });
  return {
    built: Number(await page.evaluate('window.__meshlensGraphReadyAt')),
    painted: Number(await page.evaluate('window.__meshlensGraphPaintedAt')),
  };
}

export async function graphRun(
  browser: Browser,
  url: string,
  opts: {
    nodes: number;
    edges: number;
    variant?: GraphVariant;
    mode?: GraphMode;
    gestureMs?: number;
  },
): Promise<GraphRun> {
  // bypassCSP: the harness evaluates its probes as strings; the app itself runs under the CSP.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  try {
    const page = await ctx.newPage();
    await page.addInitScript(FRAMES_SCRIPT);
    const v = opts.variant ?? 'canvas';
    const extra = v === 'webgl' ? '&webgl=1' : v === 'light' ? '&light=1' : '';
    await page.goto(
      `${url}/_bench/graph?nodes=${opts.nodes}&edges=${opts.edges}&mode=${opts.mode ?? 'boxes'}${extra}`,
    );
    const { built, painted } = await waitPainted(page);
    const usable = Number(await page.evaluate(USABLE_SCRIPT(String(painted))));
    const openNodeCount = Number(await page.evaluate('window.__meshlensGraph.nodeCount'));
    let expand: GraphRun['expand'];
    if (opts.mode === 'collapsed') {
      const button = page.getByRole('button', { name: 'Expand all' });
      if ((await button.count()) > 0) {
        await button.click();
        const clicked = Number(await page.evaluate('window.__meshlensExpandAt'));
        const open = await waitPainted(page);
        const openUsable = Number(await page.evaluate(USABLE_SCRIPT(String(open.painted))));
        expand = {
          paintedMs: open.painted - clicked,
          usableMs: openUsable - clicked,
          nodeCount: Number(await page.evaluate('window.__meshlensGraph.nodeCount')),
        };
      }
    }
    const handle = await page.evaluate<{ layoutMs: number; nodeCount: number; edgeCount: number }>(
      '({ layoutMs: window.__meshlensGraph.layoutMs, nodeCount: window.__meshlensGraph.nodeCount, edgeCount: window.__meshlensGraph.edgeCount })',
    );
    const idle = await idleFps(page);
    const panFps = await panGesture(page, opts.gestureMs ?? 3000);
    await quiet(page);
    const zoomFps = await zoomGesture(page, opts.gestureMs ?? 3000);
    await quiet(page);
    const refreshed = await refresh(page);
    return {
      builtMs: built,
      paintedMs: painted,
      usableMs: usable,
      openNodeCount,
      ...handle,
      panFps,
      zoomFps,
      idleFps: idle,
      refresh: refreshed,
      expand,
    };
  } finally {
    await ctx.close();
  }
}
