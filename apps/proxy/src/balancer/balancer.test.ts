import { describe, expect, it } from 'vitest';
import { Balancer } from './balancer';
import { EndpointState } from './endpointState';

const ep = (port: number) => ({
  namespace: 'shop',
  service: 'r',
  workload: 'r',
  pod: `r-${port}`,
  address: '127.0.0.1',
  port,
});

describe('endpoint ejection', () => {
  it('ejects after a refused connection with doubling backoff and lets one probe through', () => {
    const s = new EndpointState(ep(1), 0);
    s.start(0);
    expect(s.observe(0, 1, 'refused')).toBe(true);
    s.release();
    expect(s.health(500)).toBe('ejected');
    expect(s.available(999)).toBe(false);
    expect(s.health(1000)).toBe('probing');
    s.start(1000);
    expect(s.available(1000)).toBe(false); // one probe at a time
    expect(s.observe(1000, 1, 'failure')).toBe(true);
    s.release();
    expect(s.health(2999)).toBe('ejected'); // 2 s backoff now
    s.start(3000);
    expect(s.observe(3000, 1, 'ok')).toBe(false);
    expect(s.health(3000)).toBe('healthy');
  });

  it('ejects after 5 consecutive failures only', () => {
    const s = new EndpointState(ep(1), 0);
    const results = [1, 2, 3, 4, 5].map(() => s.observe(0, 1, 'failure'));
    expect(results).toEqual([false, false, false, false, true]);
  });
});

describe('Balancer', () => {
  it('P2C prefers the endpoint with the lower latency and load', () => {
    const b = new Balancer('p2c', () => 0.1);
    b.update([ep(1), ep(2)], 0);
    const [a, c] = b.all();
    a!.start(0);
    a!.observe(0, 100, 'ok');
    c!.start(0);
    c!.observe(0, 1, 'ok');
    expect(b.pick(0)).toBe(c);
  });

  it('keeps endpoint state across updates and skips excluded/ejected endpoints', () => {
    const b = new Balancer('round-robin');
    b.update([ep(1), ep(2)], 0);
    const first = b.all()[0]!;
    first.observe(0, 1, 'refused');
    b.update([ep(1), ep(2), ep(3)], 0);
    expect(b.all()[0]).toBe(first);
    const picks = new Set([b.pick(10), b.pick(10), b.pick(10)].map((s) => s?.info.port));
    expect(picks).toEqual(new Set([2, 3]));
    expect(b.pick(10, new Set(b.all().slice(1)))).toBe(first); // panic mode: better than nothing
  });
});
