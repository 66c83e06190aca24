import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  type TapEvent,
  type TapInfo,
  tapEventSchema,
  tapInfoSchema,
  targetsResponseSchema,
} from '@meshlens/contract';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../lib/browser';
import { REPO_ROOT, screenshotPath } from '../lib/paths';
import { waitUntil } from '../lib/wait';
import { freePort, startStack, type Stack } from './stack';

/**
 * Live calls on the demo mesh (`npm start`): the BFF taps the proxies with the dashboard's mesh
 * identity, the CLI and the browser show the events. One stack for every test (it is heavy).
 */
const T = 120_000;

let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startStack(await freePort(), 300_000);
  // The dashboard finds proxies to tap among its scrape targets: wait until it has scraped them.
  await waitUntil(
    'the dashboard scrapes the web and payments proxies',
    async () =>
      (await adminOrigins('web')).length > 0 && (await adminOrigins('payments')).length > 0,
    120_000,
  );
  browser = await launchChromium();
}, 480_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  if (stack && stack.groupPids().length > 0) stack.kill();
});

interface Tapped {
  info: TapInfo | undefined;
  events: TapEvent[];
  errors: unknown[];
}

/** Reads GET /api/v1/tap for `ms` milliseconds (or until `enough`), as a plain client would. */
async function tapFor(query: string, ms: number, enough?: (t: Tapped) => boolean): Promise<Tapped> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), ms);
  const out: Tapped = { info: undefined, events: [], errors: [] };
  try {
    const res = await fetch(new URL(`api/v1/tap?${query}`, stack.url), { signal: ctl.signal });
    expect(res.status).toBe(200);
    if (res.body === null) throw new Error('tap without a body');
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
      const { done, value } = chunk;
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let cut = buf.indexOf('\n\n');
      while (cut !== -1) {
        const frame = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        cut = buf.indexOf('\n\n');
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (data === undefined) continue;
        const raw: unknown = JSON.parse(data);
        if (event === 'info') out.info = tapInfoSchema.parse(raw);
        else if (event === 'tap') out.events.push(tapEventSchema.parse(raw));
        else if (event === 'tap-error') out.errors.push(raw);
      }
      if (enough?.(out) === true) break;
    }
  } catch (err) {
    if (!ctl.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
  return out;
}

async function adminOrigins(workload: string): Promise<string[]> {
  const res = await fetch(new URL('api/v1/targets', stack.url));
  const { targets } = targetsResponseSchema.parse(await res.json());
  return targets
    .filter((t) => t.labels.deployment === workload && t.labels.namespace === 'shop')
    .map((t) => new URL(t.url).origin);
}

describe('tap on the demo mesh', () => {
  it(
    'tapping web with a path filter and maxRps 5 for 10 s: every event matches, at most the cap, statuses as in the metrics',
    async () => {
      const began = Date.now();
      const t = await tapFor(
        'kind=workload&namespace=shop&name=web&path=/products&maxRps=5',
        10_000,
      );
      const seconds = (Date.now() - began) / 1000;
      expect(t.errors).toEqual([]);
      const webProxies = await adminOrigins('web');
      expect(webProxies.length).toBeGreaterThan(0);
      expect(t.info?.proxies.map((p) => p.workload)).toEqual(webProxies.map(() => 'web'));
      expect(t.info?.perProxyMaxRps).toBe(5 / webProxies.length);
      const starts = t.events.filter(
        (e): e is Extract<TapEvent, { type: 'start' }> => e.type === 'start',
      );
      expect(starts.length).toBeGreaterThan(0);
      for (const s of starts) expect(s.path.startsWith('/products')).toBe(true);
      // at most the cap over the time tapped, plus one second's burst
      expect(starts.length).toBeLessThanOrEqual(Math.ceil(5 * (seconds + 1)));
      const ids = new Set(starts.map((s) => s.id));
      const ends = t.events.filter(
        (e): e is Extract<TapEvent, { type: 'end' }> => e.type === 'end' && ids.has(e.id),
      );
      expect(ends.length).toBeGreaterThan(0);
      // each (direction, status) the tap saw is counted by the web proxies' own metrics
      const direction = new Map(starts.map((s) => [s.id, s.direction]));
      const seen = new Set(ends.map((e) => `${direction.get(e.id) ?? ''} ${e.status}`));
      const metrics = (
        await Promise.all(
          (await adminOrigins('web')).map(async (o) => (await fetch(`${o}/metrics`)).text()),
        )
      ).join('\n');
      for (const key of seen) {
        const [dir, status] = key.split(' ');
        const re = new RegExp(
          `^response_total\\{[^}]*direction="${dir}"[^}]*status_code="${status}"[^}]*\\} [1-9]`,
          'm',
        );
        expect(metrics, key).toMatch(re);
      }
    },
    T,
  );

  it(
    "the scraper's denied calls to payments show as 403 with the reason",
    async () => {
      const t = await tapFor(
        'kind=workload&namespace=shop&name=payments&direction=inbound&path=/charges',
        30_000,
        (x) => x.events.some((e) => e.type === 'end' && e.status === 403),
      );
      const denied = t.events.find((e) => e.type === 'end' && e.status === 403);
      if (denied?.type !== 'end') throw new Error('no 403 seen');
      expect(denied.error).toBe('forbidden');
      expect(denied.reason).toMatch(/^forbidden: /);
      const start = t.events.find((e) => e.type === 'start' && e.id === denied.id);
      if (start?.type !== 'start') throw new Error('no start of the denied call');
      expect(start.src.identity).toBe('spiffe://cluster.local/ns/shop/sa/scraper');
      expect(start.method).toBe('POST');
    },
    T,
  );

  it(
    "a proxy's admin port refuses a tap without the dashboard identity",
    async () => {
      const [origin] = await adminOrigins('web');
      const res = await fetch(`${origin ?? ''}/tap`);
      expect(res.status).toBe(403);
      expect(await res.text()).toBe('tap refused: tap needs the dashboard mesh identity (mTLS)\n');
      // metrics stay open to scrapers
      expect((await fetch(`${origin ?? ''}/metrics`)).status).toBe(200);
    },
    T,
  );

  it(
    'meshlens tap -o json prints one event per line',
    async () => {
      const child = spawn(
        process.execPath,
        [
          path.join(REPO_ROOT, 'apps/cli/bin/meshlens.mjs'),
          'tap',
          'deploy/web',
          '-n',
          'shop',
          '--duration',
          '6s',
          '-o',
          'json',
          '--bff-url',
          stack.url,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(err).toBe('');
      expect(code).toBe(0);
      const lines = out.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(3);
      const events = lines.map((l) => tapEventSchema.parse(JSON.parse(l)));
      expect(events.some((e) => e.type === 'start')).toBe(true);
    },
    T,
  );

  it(
    'the Live calls tab shows rows, pauses, and its URL reproduces the view elsewhere',
    async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(ctx);
      const page: Page = await ctx.newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(`${stack.url}namespaces/shop/workload/web?tab=edges`);
      await page.getByRole('tab', { name: 'Live calls' }).click();
      await page.getByLabel('Path prefix').fill('/products');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.getByTestId('tap-row').first().waitFor();
      const paths = await page.getByTestId('tap-row').locator('td:nth-child(4)').allInnerTexts();
      for (const p of paths) expect(p.startsWith('/products')).toBe(true);
      await page.getByRole('button', { name: 'Pause calls' }).click();
      await waitUntil(
        'paused',
        async () => (await page.getByTestId('tap-status').innerText()) === 'paused',
        10_000,
      );
      const frozen = await page.getByTestId('tap-row').count();
      await page.getByTestId('tap-row').first().click();
      await page.getByTestId('tap-detail').waitFor();
      await page.screenshot({ path: screenshotPath('demo-live-calls'), fullPage: true });
      expect(await page.getByTestId('tap-row').count()).toBe(frozen);
      const link = page.url();
      expect(new URL(link).searchParams.get('tapPath')).toBe('/products');

      const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(other);
      const b = await other.newPage();
      b.setDefaultTimeout(30_000);
      await b.goto(link);
      await b.getByTestId('tap-row').first().waitFor();
      expect(await b.getByLabel('Path prefix').inputValue()).toBe('/products');
      expect(await b.getByRole('tab', { name: 'Live calls' }).getAttribute('aria-selected')).toBe(
        'true',
      );
    },
    T,
  );
});
