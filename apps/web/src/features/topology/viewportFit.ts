// Fitting a big graph to its container from the layout's own positions: cytoscape's `fit()`
// measures every element's rendered box (labels included), which took seconds at 5,000 nodes.
import type { Position } from './layout';

export interface Viewport {
  zoom: number;
  pan: Position;
}

export interface FitOptions {
  /** space around the graph, in screen pixels */
  padding: number;
  /** how far positions reach beyond a node's centre (its radius, its label), graph units */
  margin: number;
  minZoom: number;
  maxZoom: number;
}

/** Zoom and pan that show every position in a `width` x `height` view, centred. */
export function fitViewport(
  positions: Iterable<Position>,
  width: number,
  height: number,
  opts: FitOptions,
): Viewport | undefined {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const p of positions) {
    x1 = Math.min(x1, p.x);
    y1 = Math.min(y1, p.y);
    x2 = Math.max(x2, p.x);
    y2 = Math.max(y2, p.y);
  }
  if (x1 > x2 || width <= 0 || height <= 0) return undefined;
  x1 -= opts.margin;
  y1 -= opts.margin;
  x2 += opts.margin;
  y2 += opts.margin;
  const fitZoom = Math.min(
    (width - 2 * opts.padding) / (x2 - x1),
    (height - 2 * opts.padding) / (y2 - y1),
  );
  const zoom = Math.min(opts.maxZoom, Math.max(opts.minZoom, fitZoom));
  return {
    zoom,
    pan: { x: width / 2 - zoom * ((x1 + x2) / 2), y: height / 2 - zoom * ((y1 + y2) / 2) },
  };
}
