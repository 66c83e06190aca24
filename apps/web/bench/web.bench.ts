// `npm run bench -w @meshlens/web`: first-view cost, cold-load time to data, and the topology
// graph at 500 nodes / 1,500 edges, all in headless Chromium against the fixture BFF.
// Prints each figure with its target and a baseline measured in the same run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// A bench build (`--mode bench`) is the production build plus the synthetic-graph page, in its
// own folder so the page never ships in `dist`.
const DIST = path.join(WEB, 'dist-bench');
const COLD_LOADS = 5;
/** Scale runs (issue 14): 1k/2k/5k nodes with 3x edges, each renderer variant. */
const SCALE = [
  { nodes: 1000, edges: 3000, variants: ['canvas'] },
  { nodes: 2000, edges: 6000, variants: ['canvas', 'light', 'webgl'] },
  { nodes: 5000, edges: 15_000, variants: ['canvas', 'light', 'webgl'] },
] as const;
type Variant = 'canvas' | 'light' | 'webgl';
const FPS_SECONDS = 3;

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

/** The real BFF binary with its fixture source, as a child process (port 0). */
async function startBff(): Promise<{ url: string; stop: () => Promise<void> }> {
  const main = path.resolve(WEB, '../bff/src/main.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', main, '--port', '0', '--source', 'fixture', '--web-dist', DIST],
    { cwd: WEB, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('BFF did not log "listening" within 30 s')),
      30_000,
    );
    let buf = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      for (const l of buf.split('\n')) {
        try {
          const rec = JSON.parse(l) as { msg?: string; url?: string };
          if (rec.msg === 'listening' && typeof rec.url === 'string') {
            clearTimeout(timer);
            resolve(rec.url.replace(/\/$/, ''));
          }
        } catch {
          // not a complete JSON line yet
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`BFF exited early (${String(code)})`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.MESHLENS_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
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

const FPS_SCRIPT = (seconds: number) => `new Promise((resolve) => {
  const h = window.__meshlensGraph;
  const run = (withGraph, done) => {
    let frames = 0;
    const t0 = performance.now();
    const step = (t) => {
      frames++;
      if (withGraph && h) {
        h.panBy(frames % 2 === 0 ? 7 : -5, 3 * Math.sin(frames / 10));
        h.zoomBy(frames % 40 < 20 ? 1.01 : 0.99);
      }
      if (t - t0 < ${seconds * 1000} && frames < 10000) requestAnimationFrame(step);
      else done((frames * 1000) / (t - t0));
    };
    requestAnimationFrame(step);
  };
  // Settle first (cytoscape's first frames build caches), then idle, then pan/zoom.
  let settle = 0;
  const wait = () => (++settle < 30 ? requestAnimationFrame(wait) : run(false, (idle) => run(true, (graph) => resolve({ graph, idle }))));
  requestAnimationFrame(wait);
})`;

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

async function graph(
  browser: Browser,
  url: string,
  nodes: number,
  edges: number,
  variant: Variant = 'canvas',
) {
  // bypassCSP: the harness evaluates its probes as strings; the app itself runs under the CSP.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await ctx.newPage();
  const started = Date.now();
  const extra = variant === 'webgl' ? '&webgl=1' : variant === 'light' ? '&light=1' : '';
  await page.goto(`${url}/_bench/graph?nodes=${nodes}&edges=${edges}${extra}`);
  await page.waitForFunction('window.__meshlensGraph !== undefined', null, { timeout: 120_000 });
  const readyMs = Date.now() - started;
  // Page clock: when the graph was built, and when the first frame after it was painted.
  const builtAt = Number(await page.evaluate('window.__meshlensGraphReadyAt'));
  const paintedAt = Number(
    await page.evaluate(
      'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))',
    ),
  );
  const layoutMs = Number(await page.evaluate('window.__meshlensGraph.layoutMs'));
  const fps: { graph: number; idle: number } = await page.evaluate(FPS_SCRIPT(FPS_SECONDS));
  await ctx.close();
  return { readyMs, layoutMs, fps, builtAt, paintedAt };
}

async function main(): Promise<void> {
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
    const entry = entryBytes();
    const allJs = readdirSync(path.join(DIST, 'assets'))
      .filter((f) => f.endsWith('.js'))
      .reduce((a, f) => a + gz(path.join(DIST, 'assets', f)), 0);
    const fv = await firstView(browser, bff.url);
    const small = await graph(browser, bff.url, 50, 150);
    const big = await graph(browser, bff.url, 500, 1500);

    console.log(
      `\nmeshlens web bench (headless Chromium, ${COLD_LOADS} cold loads, fixture BFF)\n`,
    );
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
    line(
      'graph 500/1500: layout + add elements',
      `${big.layoutMs.toFixed(0)} ms`,
      `${(big.layoutMs / 1000).toFixed(2)}x of 1000 ms target`,
    );
    line(
      '  graph 50/150 layout (baseline)',
      `${small.layoutMs.toFixed(0)} ms`,
      `500-node/50-node = ${(big.layoutMs / Math.max(small.layoutMs, 0.1)).toFixed(1)}x`,
    );
    line(
      'graph 500/1500: navigation to graph built (page clock)',
      `${big.builtAt.toFixed(0)} ms`,
      `${(big.builtAt / Math.max(small.builtAt, 1)).toFixed(2)}x of 50-node page`,
    );
    line(
      'graph 500/1500: built to first frame painted',
      `${(big.paintedAt - big.builtAt).toFixed(0)} ms`,
      `${((big.paintedAt - big.builtAt) / Math.max(small.paintedAt - small.builtAt, 1)).toFixed(2)}x of 50-node page`,
    );
    line(
      'graph 500/1500: navigation to ready',
      `${big.readyMs.toFixed(0)} ms`,
      `${(big.readyMs / Math.max(small.readyMs, 1)).toFixed(2)}x of 50-node page`,
    );
    line(
      'graph 500/1500: pan/zoom frame rate',
      `${big.fps.graph.toFixed(1)} fps`,
      `${(big.fps.graph / 30).toFixed(2)}x of 30 fps target`,
    );
    line(
      '  idle rAF rate, same page (baseline)',
      `${big.fps.idle.toFixed(1)} fps`,
      `pan/zoom = ${(big.fps.graph / big.fps.idle).toFixed(2)}x of idle`,
    );
    line('  graph 50/150: pan/zoom frame rate', `${small.fps.graph.toFixed(1)} fps`, '');
    console.log('\nscale (targets: 2k/6k pan+zoom >= 30 fps; 5k/15k on screen and usable <= 5 s)');
    for (const s of SCALE) {
      for (const v of s.variants) {
        const g = await graph(browser, bff.url, s.nodes, s.edges, v);
        const name = `graph ${s.nodes / 1000}k/${s.edges / 1000}k ${v}`;
        line(
          `${name}: navigation to first frame`,
          `${g.paintedAt.toFixed(0)} ms`,
          `${(g.paintedAt / 5000).toFixed(2)}x of 5000 ms target`,
        );
        line(
          `${name}: pan/zoom frame rate`,
          `${g.fps.graph.toFixed(1)} fps`,
          `${(g.fps.graph / 30).toFixed(2)}x of 30 fps; idle ${g.fps.idle.toFixed(1)} fps`,
        );
      }
    }
    console.log(`\nfirst-view files: ${fv.files.sort().join(', ')}`);
  } finally {
    await browser.close();
    await bff.stop();
  }
}

await main();
