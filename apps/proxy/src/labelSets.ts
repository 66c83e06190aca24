import type { HttpLabels } from './metrics';

/**
 * Label sets made once and found again by their parts, so a request builds no label object and
 * no key string: the series cache (httpSeries.ts) then finds a request's series by the identity
 * of its labels. The profile at saturation had the per-request label objects, their merge and
 * the key built from all ~10 labels among the largest allocations of the proxy's own code.
 *
 * Label objects handed out here are shared: nobody may change one.
 */

/** Distinct sets kept before a table starts over (label values can come from Host headers). */
const MAX_SETS = 10_000;

/**
 * `fn` remembered per argument, for per-request derivations of a few strings (service keys,
 * their parts): computed once per distinct argument, the table starting over at `max` entries.
 */
export function remembered<V>(fn: (key: string) => V, max = 1000): (key: string) => V {
  const table = new Map<string, V>();
  return (key) => {
    let value = table.get(key);
    if (value === undefined && !table.has(key)) {
      value = fn(key);
      if (table.size >= max) table.clear();
      table.set(key, value);
    }
    return value as V;
  };
}

/** Values found by a path of four strings, without a key built per lookup; bounded. */
export class PathTable<V> {
  private root = new Map<string, Map<string, Map<string, Map<string, V>>>>();
  private count = 0;

  constructor(private readonly max = MAX_SETS) {}

  get(a: string, b: string, c: string, d: string): V | undefined {
    return this.root.get(a)?.get(b)?.get(c)?.get(d);
  }

  set(a: string, b: string, c: string, d: string, value: V): V {
    const leaf = this.root.get(a)?.get(b)?.get(c);
    if (leaf?.has(d) === true) {
      leaf.set(d, value);
      return value;
    }
    if (this.count >= this.max) {
      this.root.clear();
      this.count = 0;
    }
    let ma = this.root.get(a);
    if (ma === undefined) this.root.set(a, (ma = new Map<string, Map<string, Map<string, V>>>()));
    let mb = ma.get(b);
    if (mb === undefined) ma.set(b, (mb = new Map<string, Map<string, V>>()));
    let mc = mb.get(c);
    if (mc === undefined) mb.set(c, (mc = new Map<string, V>()));
    this.count++;
    mc.set(d, value);
    return value;
  }
}

/**
 * `{ ...base, ...extra }`, made once per pair of label objects. Both are expected to be shared
 * objects themselves (from a PathTable or built once per endpoint); the pairs live as long as
 * their objects do.
 */
export class LabelMerges {
  private readonly byBase = new WeakMap<HttpLabels, WeakMap<object, HttpLabels>>();

  merge(base: HttpLabels, extra: Partial<HttpLabels>): HttpLabels {
    let byExtra = this.byBase.get(base);
    if (byExtra === undefined) this.byBase.set(base, (byExtra = new WeakMap()));
    let merged = byExtra.get(extra);
    if (merged === undefined) {
      merged = { ...base, ...extra };
      byExtra.set(extra, merged);
    }
    return merged;
  }
}

/** The process's merges: forward() merges a plan's labels with its endpoint's. */
export const labelMerges = new LabelMerges();
