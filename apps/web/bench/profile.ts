// `npx tsx bench/profile.ts [nodes] [edges] [query]`: a CPU profile (CDP Profiler) of opening the
// synthetic graph page, then of a mouse-drag pan and a wheel zoom, summarised as self time per
// function, inclusive time of a few (`INCL=a,b`), top-level tasks, and the callers of one
// (`CALLERS=name`). Finds where the time goes before changing the graph for scale (issue 14).
// Function names are readable in a bench build made with `--minify false`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FRAMES_SCRIPT, panGesture, zoomGesture } from './graphRun';
import { DIST, launch, startBff } from './harness';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function summarise(p: Profile, top: number): void {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byFn = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const us = self.get(n.id) ?? 0;
    total += us;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  console.log(`total sampled ${(total / 1000).toFixed(0)} ms`);
  // Inclusive time of a few functions (readable in a bench build with --minify false).
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const INCL = (
    process.env.INCL ??
    'syncElements,layoutLeaves,fitGraph,render,add,updateStyle,boundingBox,drawLayeredElements'
  ).split(',');
  const incl = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const fn = byId.get(cur)?.callFrame.functionName ?? '';
      for (const name of INCL)
        if ((fn === name || fn.endsWith(`.${name}`)) && !seen.has(name)) {
          seen.add(name);
          incl.set(name, (incl.get(name) ?? 0) + us);
        }
    }
  }
  // Who calls a hot function (CALLERS=name): self time by the chain of its 4 callers.
  const target = process.env.CALLERS;
  if (target) {
    const chains = new Map<string, number>();
    for (const [id, us] of self) {
      if (byId.get(id)?.callFrame.functionName !== target) continue;
      const names: string[] = [];
      for (let cur = parent.get(id); cur !== undefined && names.length < 6; cur = parent.get(cur))
        names.push(byId.get(cur)?.callFrame.functionName ?? '?');
      const k = names.join(' < ');
      chains.set(k, (chains.get(k) ?? 0) + us);
    }
    for (const [k, us] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 8))
      console.log(`  ${(us / 1000).toFixed(0)} ms ${target} < ${k}`);
  }
  // Inclusive time per top-level task (the children of the root: event handlers, rAF, timers).
  const rootId = p.nodes[0]?.id;
  const tasks = new Map<string, number>();
  for (const [id, us] of self) {
    let cur: number | undefined = id;
    let below: number | undefined;
    while (cur !== undefined && cur !== rootId) {
      below = cur;
      cur = parent.get(cur);
    }
    const f = below === undefined ? undefined : byId.get(below)?.callFrame;
    const k =
      f === undefined
        ? '(root)'
        : `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}`;
    tasks.set(k, (tasks.get(k) ?? 0) + us);
  }
  for (const [k, us] of [...tasks].sort((a, b) => b[1] - a[1]).slice(0, 8))
    console.log(`  task ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  console.log(INCL.map((n) => `${n}=${((incl.get(n) ?? 0) / 1000).toFixed(0)}ms`).join(' '));
  for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${(us / 1000).toFixed(0).padStart(8)} ms  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`,
    );
  }
}

async function main(): Promise<void> {
  if (!existsSync(path.join(DIST, 'index.html')))
    throw new Error('run the bench once to build dist-bench');
  const nodes = Number(process.argv[2] ?? 5000);
  const edges = Number(process.argv[3] ?? nodes * 3);
  const extra = process.argv[4] ?? '';
  const bff = await startBff();
  const browser = await launch();
  try {
    const ctx = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      bypassCSP: true,
    });
    const page = await ctx.newPage();
    await page.addInitScript(FRAMES_SCRIPT);
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
    await cdp.send('Profiler.start');
    const t0 = Date.now();
    await page.goto(`${bff.url}/_bench/graph?nodes=${nodes}&edges=${edges}${extra}`);
    await page.waitForFunction('window.__meshlensGraph !== undefined', null, { timeout: 300_000 });
    const ready = Date.now() - t0;
    await page.evaluate(
      'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))',
    );
    const painted = Date.now() - t0;
    const { profile: open } = (await cdp.send('Profiler.stop')) as { profile: Profile };
    console.log(`\n== open ${nodes}/${edges}${extra}: ready ${ready} ms, painted ${painted} ms`);
    summarise(open, 30);
    for (const [name, gesture] of [
      ['pan (mouse drag)', panGesture],
      ['zoom (wheel)', zoomGesture],
    ] as const) {
      await cdp.send('Profiler.start');
      const fps = await gesture(page, 3000);
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
      console.log(`\n== ${name} 3 s: ${fps.toFixed(1)} fps`);
      summarise(profile, 15);
    }
    await ctx.close();
  } finally {
    await browser.close();
    await bff.stop();
  }
}

await main();
