import type { Span } from '@meshlens/contract';

export interface WaterfallRow {
  span: Span;
  depth: number;
  childCount: number;
}

/**
 * Depth-first rows of the span tree in start order. Spans whose parent is missing (not yet
 * received, or dropped) become roots so nothing disappears. Collapsed spans hide descendants.
 */
export function buildWaterfall(
  spans: readonly Span[],
  collapsed: ReadonlySet<string>,
): WaterfallRow[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of spans) {
    const parent = s.parentSpanId;
    if (parent !== undefined && parent !== s.spanId && ids.has(parent)) {
      const list = children.get(parent) ?? [];
      list.push(s);
      children.set(parent, list);
    } else roots.push(s);
  }
  const byStart = (a: Span, b: Span) => a.startMs - b.startMs || a.spanId.localeCompare(b.spanId);
  const rows: WaterfallRow[] = [];
  const seen = new Set<string>();
  const stack: { span: Span; depth: number }[] = [...roots]
    .sort(byStart)
    .reverse()
    .map((span) => ({ span, depth: 0 }));
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item || seen.has(item.span.spanId)) continue;
    seen.add(item.span.spanId);
    const kids = (children.get(item.span.spanId) ?? []).slice().sort(byStart);
    rows.push({ span: item.span, depth: item.depth, childCount: kids.length });
    if (collapsed.has(item.span.spanId)) continue;
    for (let i = kids.length - 1; i >= 0; i--) {
      const k = kids[i];
      if (k) stack.push({ span: k, depth: item.depth + 1 });
    }
  }
  return rows;
}

export function traceBounds(spans: readonly Span[]): { start: number; end: number } {
  if (spans.length === 0) return { start: 0, end: 1 };
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  return { start, end: end > start ? end : start + 1 };
}

const PALETTE = [
  '#4c6ef5',
  '#12b886',
  '#f59f00',
  '#7950f2',
  '#1c7ed6',
  '#e64980',
  '#2b8a3e',
  '#f76707',
  '#0c8599',
  '#845ef7',
];

/** A stable colour per service name (FNV-1a hash), the same in every trace. */
export function serviceColor(service: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < service.length; i++) {
    h ^= service.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return PALETTE[(h >>> 0) % PALETTE.length] ?? '#4c6ef5';
}

/** Round tick positions for the shared time axis. */
export function axisTicks(durationMs: number, count = 5): number[] {
  const raw = durationMs / count;
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-6)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = 0; t <= durationMs + 1e-9; t += step) ticks.push(t);
  return ticks;
}
