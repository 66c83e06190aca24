// Largest-Triangle-Three-Buckets: keeps the visual shape of a series with far fewer
// points, so recharts never renders thousands of SVG nodes.
export function downsample<T>(
  points: readonly T[],
  threshold: number,
  x: (p: T) => number,
  y: (p: T) => number,
): T[] {
  const n = points.length;
  if (threshold >= n || threshold < 3) return points.slice();
  const out: T[] = [];
  const first = points[0];
  const last = points[n - 1];
  if (first === undefined || last === undefined) return [];
  out.push(first);
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const avgStart = Math.floor((i + 1) * every) + 1;
    const avgEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    let count = 0;
    for (let j = avgStart; j < avgEnd; j++) {
      const p = points[j];
      if (p === undefined) continue;
      avgX += x(p);
      const yv = y(p);
      avgY += Number.isFinite(yv) ? yv : 0;
      count++;
    }
    if (count > 0) {
      avgX /= count;
      avgY /= count;
    }
    const rangeStart = Math.floor(i * every) + 1;
    const rangeEnd = Math.floor((i + 1) * every) + 1;
    const pa = points[a];
    if (pa === undefined) break;
    const ax = x(pa);
    const ay = Number.isFinite(y(pa)) ? y(pa) : 0;
    let maxArea = -1;
    let chosen = rangeStart;
    for (let j = rangeStart; j < rangeEnd; j++) {
      const p = points[j];
      if (p === undefined) continue;
      const py = Number.isFinite(y(p)) ? y(p) : 0;
      const area = Math.abs((ax - avgX) * (py - ay) - (ax - x(p)) * (avgY - ay));
      if (area > maxArea) {
        maxArea = area;
        chosen = j;
      }
    }
    const c = points[chosen];
    if (c !== undefined) out.push(c);
    a = chosen;
  }
  out.push(last);
  return out;
}
