import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetrySource } from '@meshlens/telemetry';
import { createViewCache, type ViewCache } from './viewCache';

/** A source that ticks when told to (only onTick is used by the cache). */
function tickingSource(): { source: TelemetrySource; tick: () => void } {
  const listeners = new Set<() => void>();
  const source = {
    onTick(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as TelemetrySource;
  return { source, tick: () => listeners.forEach((l) => l()) };
}

const turn = () => new Promise((r) => setImmediate(r));

async function until(what: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!what()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await turn();
  }
}

describe('view cache', () => {
  let cache: ViewCache | undefined;
  afterEach(() => cache?.close());

  it('computes a view once per tick and recomputes the views read as soon as the tick comes', async () => {
    const { source, tick } = tickingSource();
    cache = createViewCache(source, { maxAgeMs: 60_000 });
    const calls = { a: 0, b: 0 };
    const a = () => Promise.resolve(`a${++calls.a}`);
    const b = () => Promise.resolve(`b${++calls.b}`);
    expect(await cache.get('a', a)).toBe('a1');
    expect(await cache.get('a', a)).toBe('a1');
    expect(await cache.get('b', b)).toBe('b1');
    tick();
    // refreshed without a viewer asking, one per turn of the event loop
    await until(() => calls.a === 2 && calls.b === 2);
    expect(await cache.get('a', a)).toBe('a2');
    expect(calls.a).toBe(2);
    // b was not read during this tick: the next one does not refresh it
    tick();
    await until(() => calls.a === 3);
    for (let i = 0; i < 5; i++) await turn();
    expect(calls.b).toBe(2);
    expect(await cache.get('b', b)).toBe('b3');
  });

  it('a viewer asking before the refresh reached its view computes it once, not twice', async () => {
    const { source, tick } = tickingSource();
    cache = createViewCache(source, { maxAgeMs: 60_000 });
    let calls = 0;
    const v = () => Promise.resolve(++calls);
    await cache.get('v', v);
    tick();
    expect(await cache.get('v', v)).toBe(2);
    for (let i = 0; i < 5; i++) await turn();
    expect(calls).toBe(2);
  });

  it('a failed view is not kept and not refreshed as a failure', async () => {
    const { source, tick } = tickingSource();
    cache = createViewCache(source, { maxAgeMs: 60_000 });
    let calls = 0;
    const flaky = () =>
      ++calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve(calls);
    await expect(cache.get('f', flaky)).rejects.toThrow('down');
    expect(await cache.get('f', flaky)).toBe(2);
    tick();
    await until(() => calls === 3);
    expect(await cache.get('f', flaky)).toBe(3);
  });

  it('refreshes on maxAgeMs when the source does not tick, and stops when closed', async () => {
    const { source } = tickingSource();
    cache = createViewCache(source, { maxAgeMs: 50 });
    let calls = 0;
    const v = () => Promise.resolve(++calls);
    await cache.get('v', v);
    await until(() => calls === 2);
    cache.close();
    const seen = calls;
    // nothing may run after close: four refresh periods pass without a compute
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(seen);
  });
});
