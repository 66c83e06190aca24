// `npm run bench -w @meshlens/web`: first-view cost, cold-load time to data, and the topology
// graph from 500 to 5,000 nodes, all in headless Chromium against the fixture BFF.
// Prints each figure with its target and a baseline measured in the same run.
// `--only 5k,2k/6k canvas` runs just the scale rows whose names contain one of those; `--build` rebuilds dist-bench.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { DIST, WEB, launch, startBff } from './harness';
import { graphRun, type GraphRun, type GraphVariant } from './graphRun';

const COLD_LOADS = 5;
/** Scale runs (issue 14): 1k/2k/5k nodes with 3x edges, namespace boxes expanded. */
const SCALE: readonly { nodes: number; edges: number; variants: readonly GraphVariant[] }[] = [
  { nodes: 1000, edges: 3000, variants: ['canvas'] },
  { nodes: 2000, edges: 6000, variants: ['canvas', 'light', 'webgl'] },
  { nodes: 5000, edges: 15_000, variants: ['canvas', 'light', 'webgl'] },
];

function gz(file: string): number {
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

function kb(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function line(name: string, value: string, ratioText: string): void {
  console.log(`${name.padEnd(52)} ${value.padStart(14)}   ${ratioText}`);
}

/** Entry script + modulepreloads from index.html: what loads before any lazy chunk. */
function entryBytes(): { raw: number; gzip: number } {
  const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+\.js)"/g)].map(
    (m) => m[1] ?? '',
  );
  let raw = 0;
  let gzip = 0;
  for (const r of refs) {
    const f = path.join(DIST, r);
    raw += readFileSync(f).length;
    gzip += gz(f);
  }
  return { raw, gzip };
}

// Page-side code is passed as strings: tsx adds helpers (__name) that do not exist in the page.
const FIRST_DATA_SCRIPT = `
  const obs = new MutationObserver(() => {
    const cell = document.querySelector('[data-testid="golden-signals"] tbody tr td:nth-child(4)');
    if (cell && /\\d/.test(cell.textContent || '') && window.__firstData === undefined) {
      window.__firstData = performance.now();
      obs.disconnect();
    }
  });
  obs.observe(document, { childList: true, subtree: true, characterData: true });
`;

async function firstView(browser: Browser, url: string) {
  const times: number[] = [];
  const domReady: number[] = [];
  let jsFiles = new Set<string>();
  for (let i = 0; i < COLD_LOADS; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } }); // cold cache
    const page = await ctx.newPage();
    const js = new Set<string>();
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (u.pathname.endsWith('.js')) js.add(u.pathname.replace(/^\//, ''));
    });
    // Records the moment the first golden-signals row with a number is in the DOM.
    await page.addInitScript(FIRST_DATA_SCRIPT);
    await page.goto(`${url}/`);
    await page.waitForFunction(
      () => (window as unknown as { __firstData?: number }).__firstData !== undefined,
      null,
      {
        timeout: 30_000,
      },
    );
    await page.getByTestId('topology-graph').locator('canvas').first().waitFor({ timeout: 30_000 });
    times.push(
      await page.evaluate(() => (window as unknown as { __firstData: number }).__firstData),
    );
    domReady.push(
      await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as
          PerformanceNavigationTiming | undefined;
        return nav?.domContentLoadedEventEnd ?? Number.NaN;
      }),
    );
    jsFiles = js;
    await ctx.close();
  }
  let gzip = 0;
  let raw = 0;
  for (const f of jsFiles) {
    const file = path.join(DIST, f);
    if (!existsSync(file)) continue;
    raw += readFileSync(file).length;
    gzip += gz(file);
  }
  return {
    ttfd: median(times),
    dcl: median(domReady),
    jsGzip: gzip,
    jsRaw: raw,
    files: [...jsFiles],
  };
}

function fmtLoad(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

/** `--only a,b`: run the scale rows whose name contains one of the parts. */
function selected(name: string, only: string | undefined): boolean {
  return only === undefined || only.split(',').some((part) => name.includes(part));
}

/** The scale section: every size and variant against the 500-node page of the same run. */
async function scale(browser: Browser, url: string, only: string | undefined): Promise<void> {
  const base = await graphRun(browser, url, { nodes: 500, edges: 1500 });
  console.log(
    `\ngraph scale (namespace boxes expanded, as the overview after "expand all"; real mouse drag + wheel)`,
  );
  console.log('targets: 2k/6k pan and zoom >= 30 fps; 5k/15k on screen and usable <= 5000 ms');
  const row = (name: string, r: GraphRun) => {
    line(
      `${name}: built / painted / usable`,
      `${(r.usableMs / 1000).toFixed(2)} s`,
      `built ${r.builtMs.toFixed(0)}, painted ${r.paintedMs.toFixed(0)} ms; usable ${(r.usableMs / base.usableMs).toFixed(1)}x of 500`,
    );
    line(
      `${name}: pan / zoom frame rate`,
      `${r.panFps.toFixed(0)}/${r.zoomFps.toFixed(0)} fps`,
      `${(Math.min(r.panFps, r.zoomFps) / Math.min(base.panFps, base.zoomFps)).toFixed(2)}x of 500; idle ${r.idleFps.toFixed(0)} fps`,
    );
    line(
      `${name}: refresh (all rates moved): push / worst frame`,
      `${r.refresh.syncMs.toFixed(0)} ms`,
      `worst frame ${r.refresh.longestFrameMs.toFixed(0)} ms; push ${(r.refresh.syncMs / Math.max(base.refresh.syncMs, 0.1)).toFixed(1)}x of 500`,
    );
  };
  row(`graph 0.5k/1.5k canvas (${base.nodeCount} el.)`, base);
  const verdicts: string[] = [];
  for (const s of SCALE) {
    for (const v of s.variants) {
      const name = `graph ${s.nodes / 1000}k/${s.edges / 1000}k ${v}`;
      if (!selected(name, only)) continue;
      const r = await graphRun(browser, url, { nodes: s.nodes, edges: s.edges, variant: v });
      row(name, r);
      if (s.nodes === 2000) {
        verdicts.push(
          `${verdict(Math.min(r.panFps, r.zoomFps) >= 30)} ${name}: pan ${r.panFps.toFixed(0)} fps, zoom ${r.zoomFps.toFixed(0)} fps (target >= 30)`,
        );
      }
      if (s.nodes === 5000) {
        verdicts.push(
          `${verdict(r.usableMs <= 5000)} ${name}: usable after ${r.usableMs.toFixed(0)} ms (target <= 5000), pan ${r.panFps.toFixed(0)} / zoom ${r.zoomFps.toFixed(0)} fps`,
        );
      }
    }
  }
  if (selected('graph 5k/15k collapsed', only)) {
    // What the overview really does with 5,000 resources: it opens folded by namespace.
    const c = await graphRun(browser, url, { nodes: 5000, edges: 15_000, mode: 'collapsed' });
    const name = 'graph 5k/15k collapsed';
    line(
      `${name}: opens folded (${c.openNodeCount} nodes), usable`,
      `${(c.usableMs / 1000).toFixed(2)} s`,
      `painted ${c.paintedMs.toFixed(0)} ms; ${(c.usableMs / base.usableMs).toFixed(1)}x of 500`,
    );
    if (c.expand) {
      line(
        `${name}: "Expand all" click to usable`,
        `${(c.expand.usableMs / 1000).toFixed(2)} s`,
        `painted ${c.expand.paintedMs.toFixed(0)} ms, ${c.expand.nodeCount} nodes`,
      );
    }
    verdicts.push(
      `${verdict(c.usableMs <= 5000)} ${name}: the overview's default above 1,000 resources, usable after ${c.usableMs.toFixed(0)} ms; expanding all takes ${((c.expand?.usableMs ?? Number.NaN) / 1000).toFixed(2)} s more`,
    );
  }
  console.log('');
  for (const v of verdicts) console.log(v);
}

async function main(): Promise<void> {
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
  if (!existsSync(path.join(DIST, 'index.html')) || process.argv.includes('--build')) {
    const r = spawnSync('npx', ['vite', 'build', '--mode', 'bench', '--outDir', 'dist-bench'], {
      cwd: WEB,
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('vite build failed');
  }
  const bff = await startBff();
  const browser = await launch();
  try {
    console.log(
      `\nmeshlens web bench (headless Chromium without GPU, fixture BFF); load average at start ${fmtLoad()}`,
    );
    if (only === undefined) await firstViewSection(browser, bff.url);
    await scale(browser, bff.url, only);
    console.log(`\nload average at end ${fmtLoad()}`);
  } finally {
    await browser.close();
    await bff.stop();
  }
}

async function firstViewSection(browser: Browser, url: string): Promise<void> {
  const entry = entryBytes();
  const allJs = readdirSync(path.join(DIST, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .reduce((a, f) => a + gz(path.join(DIST, 'assets', f)), 0);
  const fv = await firstView(browser, url);
  console.log(`\nfirst view (${COLD_LOADS} cold loads)`);
  line('metric', 'value', 'ratio');
  line(
    'JS for the first view (network log, gzip)',
    `${kb(fv.jsGzip)} KB`,
    `${(fv.jsGzip / 1024 / 300).toFixed(2)}x of 300 KB target`,
  );
  line(
    '  of which entry before lazy chunks (gzip)',
    `${kb(entry.gzip)} KB`,
    `${(entry.gzip / fv.jsGzip).toFixed(2)}x of first view`,
  );
  line(
    '  all JS in dist (gzip, baseline)',
    `${kb(allJs)} KB`,
    `first view = ${(fv.jsGzip / allJs).toFixed(2)}x of all`,
  );
  line(
    'cold load: first golden-signals row with data',
    `${fv.ttfd.toFixed(0)} ms`,
    `${(fv.ttfd / 1000).toFixed(2)}x of 1000 ms target`,
  );
  line(
    '  DOMContentLoaded (baseline)',
    `${fv.dcl.toFixed(0)} ms`,
    `data/DCL = ${(fv.ttfd / fv.dcl).toFixed(2)}x`,
  );
  console.log(`first-view files: ${fv.files.sort().join(', ')}`);
}

await main();
