import type { RouteRow } from '@meshlens/contract';
import { histogramQuantile } from '@meshlens/prom';
import type { PromClient } from './promClient';
import { promRange, selector, type PromDialect } from './promql';

/**
 * Per-route signals from the client side: meshlens proxies label outbound `response_total` and
 * `response_latency_ms` with `route_name`/`route_rule`. Istio's standard metrics carry no route,
 * and Linkerd's own route metrics are other families (`outbound_http_route_*`): not read yet.
 */
export async function promRoutes(
  client: PromClient,
  d: PromDialect,
  namespace: string,
  service: string,
  from: number,
  to: number,
): Promise<RouteRow[]> {
  if (d.name !== 'linkerd') return [];
  const sel = { direction: 'outbound', dst_namespace: namespace, dst_service: service };
  const r = promRange(to - from);
  const has = `route_name!=""`;
  const withRoute = (metric: string) => selector(metric, sel).replace(/\}$/, `,${has}}`);
  const [reqs, buckets] = await Promise.all([
    client.query(
      `sum by (route_name,route_rule,${d.classLabel}) (increase(${withRoute(d.requests)}${r}))`,
      to,
    ),
    client.query(`sum by (le,route_name,route_rule) (rate(${withRoute(d.bucket)}${r}))`, to),
  ]);
  const rows = new Map<
    string,
    { route: string; rule: string; ok: number; bad: number; b: Map<number, number> }
  >();
  const row = (l: Record<string, string>) => {
    const route = l.route_name ?? 'default';
    const rule = l.route_rule ?? '';
    const key = `${route}\n${rule}`;
    let x = rows.get(key);
    if (!x) {
      x = { route, rule, ok: 0, bad: 0, b: new Map() };
      rows.set(key, x);
    }
    return x;
  };
  for (const s of reqs) {
    if (d.isFailure(s.labels)) row(s.labels).bad += s.value;
    else row(s.labels).ok += s.value;
  }
  for (const s of buckets) {
    const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    if (Number.isNaN(le)) continue;
    const b = row(s.labels).b;
    b.set(le, (b.get(le) ?? 0) + s.value);
  }
  const seconds = (to - from) / 1000;
  const q = (x: { b: Map<number, number> }, p: number) => {
    const list = [...x.b.entries()]
      .sort((a, c) => a[0] - c[0])
      .map(([le, count]) => ({ le, count }));
    const v = list.length ? histogramQuantile(p, list) : Number.NaN;
    return Number.isFinite(v) ? v : null;
  };
  return [...rows.values()]
    .map((x) => ({
      route: x.route,
      rule: x.rule,
      successRate: x.ok + x.bad > 0 ? x.ok / (x.ok + x.bad) : null,
      rps: (x.ok + x.bad) / seconds,
      latencyMs: { p50: q(x, 0.5), p95: q(x, 0.95), p99: q(x, 0.99) },
      requests: { success: x.ok, failure: x.bad },
      tcp: { openConnections: 0, readBytesPerSec: 0, writeBytesPerSec: 0 },
    }))
    .sort((a, b) => b.rps - a.rps || a.route.localeCompare(b.route));
}
