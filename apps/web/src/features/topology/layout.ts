// A layered (left-to-right, callers before callees) layout, like the service graphs of Kiali
// (dagre) and Linkerd viz. Plain TypeScript and O(nodes + edges) per sweep, so 500 nodes take
// milliseconds, and pure, so it is unit-tested without a canvas.
export interface Position {
  x: number;
  y: number;
}

export interface LayoutEdge {
  source: string;
  target: string;
}

export interface LayoutOptions {
  xGap?: number;
  yGap?: number;
  sweeps?: number;
}

function adjacency(ids: readonly string[], edges: readonly LayoutEdge[]) {
  const out = new Map<string, string[]>();
  const inc = new Map<string, string[]>();
  for (const id of ids) {
    out.set(id, []);
    inc.set(id, []);
  }
  for (const e of edges) {
    if (e.source === e.target) continue;
    const o = out.get(e.source);
    const i = inc.get(e.target);
    if (o && i) {
      o.push(e.target);
      i.push(e.source);
    }
  }
  return { out, inc };
}

/** Longest-path ranks on the graph with back edges (found by an iterative DFS) ignored. */
export function computeRanks(
  ids: readonly string[],
  edges: readonly LayoutEdge[],
): Map<string, number> {
  const { out } = adjacency(ids, edges);
  const state = new Map<string, 1 | 2>();
  const back = new Set<string>();
  const order: string[] = [];
  for (const root of [...ids].sort()) {
    if (state.has(root)) continue;
    const stack: { id: string; next: number }[] = [{ id: root, next: 0 }];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top === undefined) break;
      const succ = out.get(top.id) ?? [];
      const n = succ[top.next];
      if (n === undefined) {
        state.set(top.id, 2);
        order.push(top.id);
        stack.pop();
        continue;
      }
      top.next++;
      const s = state.get(n);
      if (s === 1) back.add(`${top.id}\u0000${n}`);
      else if (s === undefined) {
        state.set(n, 1);
        stack.push({ id: n, next: 0 });
      }
    }
  }
  // Reverse post-order is a topological order of the graph without back edges.
  const rank = new Map<string, number>();
  for (const id of ids) rank.set(id, 0);
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i];
    if (id === undefined) continue;
    const r = rank.get(id) ?? 0;
    for (const n of out.get(id) ?? []) {
      if (back.has(`${id}\u0000${n}`)) continue;
      if ((rank.get(n) ?? 0) < r + 1) rank.set(n, r + 1);
    }
  }
  return rank;
}

function barycenter(neighbours: readonly string[], pos: Map<string, number>): number | undefined {
  let sum = 0;
  let n = 0;
  for (const nb of neighbours) {
    const p = pos.get(nb);
    if (p !== undefined) {
      sum += p;
      n++;
    }
  }
  return n === 0 ? undefined : sum / n;
}

/**
 * Deep call chains (dozens of ranks) would make one very wide strip that fits the screen only
 * at an unreadable zoom: past 12 ranks the columns wrap into bands, aiming at a 16:10 screen.
 */
function bands(
  rankCount: number,
  layers: readonly (readonly string[] | undefined)[],
  xGap: number,
  yGap: number,
): { perBand: number; bandHeight: number } {
  const tallest = Math.max(1, ...layers.map((l) => l?.length ?? 0));
  const bandHeight = (tallest + 2) * yGap;
  if (rankCount <= 12) return { perBand: Math.max(1, rankCount), bandHeight };
  const count = Math.max(1, Math.round(Math.sqrt((rankCount * xGap) / (1.6 * bandHeight))));
  return { perBand: Math.max(1, Math.ceil(rankCount / count)), bandHeight };
}

export function layeredLayout(
  ids: readonly string[],
  edges: readonly LayoutEdge[],
  opts: LayoutOptions = {},
): Map<string, Position> {
  const xGap = opts.xGap ?? 220;
  const yGap = opts.yGap ?? 80;
  const ranks = computeRanks(ids, edges);
  const { inc, out } = adjacency(ids, edges);
  const layers: string[][] = [];
  for (const id of [...ids].sort()) {
    const r = ranks.get(id) ?? 0;
    (layers[r] ??= []).push(id);
  }
  const index = new Map<string, number>();
  const reindex = () =>
    layers.forEach((layer) => layer.forEach((id, i) => index.set(id, i - (layer.length - 1) / 2)));
  reindex();
  // Barycenter sweeps reduce crossings: down using callers, up using callees.
  for (let s = 0; s < (opts.sweeps ?? 2); s++) {
    for (const [dir, nbs] of [
      ['down', inc],
      ['up', out],
    ] as const) {
      const seq = dir === 'down' ? layers : [...layers].reverse();
      for (const layer of seq) {
        if (!layer) continue;
        const keyed = layer.map((id) => ({
          id,
          b: barycenter(nbs.get(id) ?? [], index) ?? index.get(id) ?? 0,
        }));
        keyed.sort((a, b) => a.b - b.b || a.id.localeCompare(b.id));
        layer.splice(0, layer.length, ...keyed.map((k) => k.id));
        layer.forEach((id, i) => index.set(id, i - (layer.length - 1) / 2));
      }
    }
  }
  const pos = new Map<string, Position>();
  const { perBand, bandHeight } = bands(layers.length, layers, xGap, yGap);
  layers.forEach((layer, r) =>
    layer.forEach((id) => {
      const band = Math.floor(r / perBand);
      const col = r % perBand;
      pos.set(id, { x: col * xGap, y: band * bandHeight + (index.get(id) ?? 0) * yGap });
    }),
  );
  return pos;
}

/**
 * Keeps known positions and lays out only new nodes: a refresh that adds one workload must not
 * make the others jump. New nodes go to their layered position, nudged down until free.
 */
export function stableLayout(
  ids: readonly string[],
  edges: readonly LayoutEdge[],
  known: ReadonlyMap<string, Position>,
  opts: LayoutOptions = {},
): Map<string, Position> {
  const result = new Map<string, Position>();
  const fresh = ids.filter((id) => !known.has(id));
  if (fresh.length === ids.length) return layeredLayout(ids, edges, opts);
  for (const id of ids) {
    const k = known.get(id);
    if (k) result.set(id, k);
  }
  if (fresh.length === 0) return result;
  const yGap = opts.yGap ?? 80;
  const ideal = layeredLayout(ids, edges, opts);
  const taken = new Set([...result.values()].map((p) => `${Math.round(p.x)}:${Math.round(p.y)}`));
  for (const id of fresh) {
    const p = { ...(ideal.get(id) ?? { x: 0, y: 0 }) };
    let guard = 0;
    while (taken.has(`${Math.round(p.x)}:${Math.round(p.y)}`) && guard++ < 10_000) p.y += yGap;
    taken.add(`${Math.round(p.x)}:${Math.round(p.y)}`);
    result.set(id, p);
  }
  return result;
}
