import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { parseExposition } from '@meshlens/prom';
import { busyProxyScrape } from './busyProxy';

// Alternating rounds of our parser and parse-prometheus-text-format on the same inputs, in one
// process; prints the median throughput of each and the ratio. Bounded: ROUNDS x ROUND_MS each.
// Time is this process's CPU time (user + system), not wall time: the benchmark machine is
// shared, and wall time there measures the neighbours as much as the parser.

const ROUNDS = 9;
const ROUND_MS = 250;
const MAX_ITERATIONS = 20_000;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const testdata = process.env.MESHLENS_TESTDATA ?? path.resolve(repoRoot, '../shared/testdata');

type Parser = (text: string) => number;

const ours: Parser = (text) => {
  let samples = 0;
  for (const f of parseExposition(text)) samples += f.samples.length;
  return samples;
};

const theirs: Parser = (text) => {
  let samples = 0;
  for (const f of parsePrometheusTextFormat(text)) samples += f.metrics.length;
  return samples;
};

function round(parse: Parser, text: string): { opsPerSec: number; samples: number } {
  let samples = 0;
  let iterations = 0;
  const start = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < ROUND_MS && iterations < MAX_ITERATIONS) {
    samples = parse(text);
    iterations++;
    const used = process.cpuUsage(start);
    elapsed = (used.user + used.system) / 1000;
  }
  return { opsPerSec: (iterations * 1000) / elapsed, samples };
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
// Noise from other processes only ever slows a round down: the best round is the least disturbed.
const best = (xs: number[]): number => Math.max(...xs);

function bench(name: string, text: string): void {
  const bytes = Buffer.byteLength(text);
  const results = { ours: [] as number[], theirs: [] as number[] };
  let samples = { ours: 0, theirs: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate who goes first so warm-up and GC pressure do not favour one side.
    const order = r % 2 === 0 ? (['ours', 'theirs'] as const) : (['theirs', 'ours'] as const);
    for (const who of order) {
      const res = round(who === 'ours' ? ours : theirs, text);
      results[who].push(res.opsPerSec);
      samples = { ...samples, [who]: res.samples };
    }
  }
  // Samples in the input (theirs nests histogram buckets inside one object per series group, so
  // its own count is smaller for the same information).
  const inputSamples = samples.ours;
  const line = (who: 'ours' | 'theirs'): string => {
    const ops = median(results[who]);
    return `  ${who.padEnd(7)} ${((ops * bytes) / 1e6).toFixed(1).padStart(7)} MB/s ${((ops * inputSamples) / 1e6).toFixed(3).padStart(7)} M samples/s  (${samples[who]} objects/parse)`;
  };
  console.log(`${name}: ${(bytes / 1024).toFixed(1)} KiB`);
  console.log(line('ours'));
  console.log(line('theirs'));
  console.log(
    `  ratio ours/theirs: ${(median(results.ours) / median(results.theirs)).toFixed(2)}x median, ${(best(results.ours) / best(results.theirs)).toFixed(2)}x best round`,
  );
}

const inputs: [string, string][] = [
  [
    'alltypes.237mfs.prom.txt',
    readFileSync(path.join(testdata, 'prometheus/alltypes.237mfs.prom.txt'), 'utf8'),
  ],
  ['busy proxy (generated)', busyProxyScrape()],
];
for (const [, text] of inputs) {
  ours(text);
  theirs(text);
}
console.log(
  `node ${process.version}, ${ROUNDS} alternating rounds of ${ROUND_MS} ms CPU time each, median`,
);
for (const [name, text] of inputs) bench(name, text);
