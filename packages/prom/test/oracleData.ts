import { createPrng } from './prng';

// Random series for the Prometheus oracle: counters with resets and gaps, and histograms whose
// raw bucket counts are sometimes non-monotonic. Sample times never fall on a whole second, so
// the window edges (whole seconds) never coincide with a sample and the closed range of the
// Debian Prometheus (2.x) and the left-open range of Prometheus 3 select the same samples.

export const BASE_MS = 1_700_000_000_000;
export const SPAN_MS = 40 * 60 * 1000;
export const LE_BOUNDS = ['-5', '0', '0.5', '1', '2.5', '5', '10', '25', '+Inf'];

interface Generated {
  openMetrics: string;
  counterSeries: number;
  histogramSeries: number;
}

function fmtTs(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function counterLines(id: number, rnd: () => number): string[] {
  const lines: string[] = [];
  const interval = 5000 + Math.floor(rnd() * 25000);
  let v = rnd() < 0.3 ? 0 : Math.floor(rnd() * 10000);
  let t = BASE_MS + 1 + Math.floor(rnd() * interval);
  const short = rnd() < 0.05;
  let emitted = 0;
  while (t < BASE_MS + SPAN_MS && !(short && emitted >= 1)) {
    if (t % 1000 === 0) t += 7;
    const gap = rnd() < 0.08;
    if (!gap) {
      lines.push(`oracle_counter{id="${id}"} ${v} ${fmtTs(t)}`);
      emitted++;
    }
    if (rnd() < 0.04) v = Math.floor(rnd() * 50);
    else v += rnd() < 0.5 ? Math.floor(rnd() * 100) : Math.round(rnd() * 1e6) / 1000;
    t += gap && rnd() < 0.3 ? interval * 10 : interval + Math.floor(rnd() * 900) - 450;
  }
  return lines;
}

function histogramLines(id: number, rnd: () => number): string[] {
  const lines: string[] = [];
  const interval = 10000 + Math.floor(rnd() * 20000);
  const counts = LE_BOUNDS.map(() => 0);
  const broken = rnd() < 0.2;
  const empty = rnd() < 0.05;
  const points: { t: number; counts: number[] }[] = [];
  for (let t = BASE_MS + 3 + Math.floor(rnd() * interval); t < BASE_MS + SPAN_MS; t += interval) {
    if (!empty) {
      for (let b = 0; b < counts.length; b++) {
        const add = Math.floor(rnd() * 20);
        for (let k = b; k < counts.length; k++)
          counts[k] = (counts[k] ?? 0) + (rnd() < 0.5 ? add : 0);
      }
      for (let b = 1; b < counts.length; b++)
        counts[b] = Math.max(counts[b] ?? 0, counts[b - 1] ?? 0);
    }
    const snapshot = [...counts];
    if (broken) {
      const b = Math.floor(rnd() * (snapshot.length - 1));
      snapshot[b] = (snapshot[b] ?? 0) + 1 + Math.floor(rnd() * 30);
    }
    points.push({ t: t % 1000 === 0 ? t + 11 : t, counts: snapshot });
  }
  LE_BOUNDS.forEach((le, b) => {
    for (const p of points)
      lines.push(`oracle_hist_bucket{id="${id}",le="${le}"} ${p.counts[b]} ${fmtTs(p.t)}`);
  });
  return lines;
}

export function generateOracleData(seed: number, counters: number, histograms: number): Generated {
  const rnd = createPrng(seed);
  const lines = ['# TYPE oracle_counter gauge'];
  for (let id = 0; id < counters; id++) lines.push(...counterLines(id, rnd));
  lines.push('# TYPE oracle_hist_bucket gauge');
  for (let id = 0; id < histograms; id++) lines.push(...histogramLines(id, rnd));
  lines.push('# EOF', '');
  return {
    openMetrics: lines.join('\n'),
    counterSeries: counters,
    histogramSeries: histograms * LE_BOUNDS.length,
  };
}
