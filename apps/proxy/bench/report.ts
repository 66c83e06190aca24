/**
 * The proxy bench's summary: the median of the interleaved rounds per scenario with its spread
 * (min-max), and the issue-15 targets judged on ratios taken WITHIN each round (both sides of a
 * ratio measured minutes apart would carry the machine's drift), median over the rounds.
 */
import type { Saturation } from './measure';

export interface Row extends Saturation {
  name: string;
  p50: number;
  p99: number;
  pacedErrors: number;
}

export const SCENARIOS = {
  direct: 'direct',
  floor: 'floor',
  httpProxy: 'http-proxy',
  off: 'meshlens, tracing off',
  ten: 'meshlens, 10 % traced',
  all: 'meshlens, 100 % traced',
  compare: 'BENCH_COMPARE build, 10 %',
} as const;

export function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const fmt = (n: number | undefined, d = 1) =>
  n === undefined || Number.isNaN(n) ? '-' : n.toFixed(d);

export const usPerReq = (r: Row): number => (r.cpuSeconds * 1e6) / r.requests;

/** "median [min-max]" of one figure over the rounds. */
function spread(xs: number[], d: number): string {
  const ok = xs.filter((x) => !Number.isNaN(x));
  if (ok.length === 0) return '-';
  return `${fmt(median(ok), d)} [${fmt(Math.min(...ok), d)}-${fmt(Math.max(...ok), d)}]`;
}

function by(round: Row[], name: string): Row {
  const row = round.find((r) => r.name === name);
  if (row === undefined) throw new Error(`no row ${name}`);
  return row;
}

/** One ratio per round, e.g. meshlens CPU/request over the floor's in the same round. */
function perRound(rounds: Row[][], f: (round: Row[]) => number): number[] {
  return rounds.map(f);
}

function verdict(label: string, values: number[], target: number, atMost: boolean): string {
  const value = median(values);
  const ok = atMost ? value <= target : value >= target;
  return `${label.padEnd(68)} ${spread(values, 2).padStart(20)}   target ${atMost ? '<=' : '>='} ${target}   ${ok ? 'met' : 'MISSED'}`;
}

/** A figure printed beside the targets without one of its own. */
function reference(label: string, values: number[]): string {
  return `${label.padEnd(68)} ${spread(values, 2).padStart(20)}`;
}

export function report(rounds: Row[][], setup: string): void {
  const names = (rounds[0] ?? []).map((r) => r.name);
  console.log(`\n${setup}`);
  console.log(
    `median of ${rounds.length} interleaved rounds per scenario, [min-max] over the rounds\n`,
  );
  console.log(
    `${'scenario'.padEnd(24)}${'cpu us/req'.padStart(18)}${'rps'.padStart(22)}${'peak RSS MB'.padStart(13)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(20)}${'errors'.padStart(8)}`,
  );
  for (const name of names) {
    const rows = rounds.map((round) => by(round, name));
    const proxied = name !== SCENARIOS.direct;
    console.log(
      [
        name.padEnd(24),
        (proxied ? spread(rows.map(usPerReq), 0) : '-').padStart(17),
        spread(
          rows.map((r) => r.rps),
          0,
        ).padStart(21),
        (proxied ? fmt(Math.max(...rows.map((r) => r.peakRssMb)), 0) : '-').padStart(12),
        fmt(median(rows.map((r) => r.p50)), 2).padStart(7),
        spread(
          rows.map((r) => r.p99),
          2,
        ).padStart(19),
        String(rows.reduce((a, r) => a + r.errors + r.pacedErrors, 0)).padStart(7),
      ].join(' '),
    );
  }
  const cpuVsFloor = (name: string) =>
    perRound(rounds, (round) => usPerReq(by(round, name)) / usPerReq(by(round, SCENARIOS.floor)));
  console.log('\nagainst the targets of issue 15 (ratios within each round; median [min-max]):');
  console.log(
    verdict('CPU/request vs floor, tracing at 10 %', cpuVsFloor(SCENARIOS.ten), 1.3, true),
  );
  console.log(
    verdict('CPU/request vs floor, every request traced', cpuVsFloor(SCENARIOS.all), 1.5, true),
  );
  console.log(
    verdict(
      'throughput vs http-proxy, tracing at 10 %',
      perRound(
        rounds,
        (round) => by(round, SCENARIOS.ten).rps / by(round, SCENARIOS.httpProxy).rps,
      ),
      1.2,
      false,
    ),
  );
  console.log(
    verdict(
      'added p99 per hop at 1 connection (ms), 10 %',
      perRound(rounds, (round) => by(round, SCENARIOS.ten).p99 - by(round, SCENARIOS.direct).p99),
      0.5,
      true,
    ),
  );
  console.log(
    verdict(
      '(for reference) added p99 of the floor at 1 connection (ms)',
      perRound(rounds, (round) => by(round, SCENARIOS.floor).p99 - by(round, SCENARIOS.direct).p99),
      0.5,
      true,
    ),
  );
  console.log(
    reference(
      '(for reference) p99 at 1 connection, meshlens 10 % minus floor (ms)',
      perRound(rounds, (round) => by(round, SCENARIOS.ten).p99 - by(round, SCENARIOS.floor).p99),
    ),
  );
  console.log(
    verdict(
      '(for reference) added p50 per hop at 1 connection (ms), 10 %',
      perRound(rounds, (round) => by(round, SCENARIOS.ten).p50 - by(round, SCENARIOS.direct).p50),
      0.5,
      true,
    ),
  );
  const peakAll = Math.max(...rounds.map((round) => by(round, SCENARIOS.all).peakRssMb));
  console.log(verdict('peak RSS under load (MB), every request traced', [peakAll], 60, true));
  console.log(
    verdict(
      '(for reference) CPU/request vs floor, tracing off',
      cpuVsFloor(SCENARIOS.off),
      1.3,
      true,
    ),
  );
  if (rounds[0]?.some((r) => r.name === SCENARIOS.compare) === true) {
    console.log(
      verdict(
        '(for reference) CPU/request, this build vs BENCH_COMPARE, 10 %',
        perRound(
          rounds,
          (round) => usPerReq(by(round, SCENARIOS.ten)) / usPerReq(by(round, SCENARIOS.compare)),
        ),
        1,
        true,
      ),
    );
  }
  console.log(
    verdict(
      '(for reference) CPU/request, http-proxy vs floor',
      cpuVsFloor(SCENARIOS.httpProxy),
      1.3,
      true,
    ),
  );
}
