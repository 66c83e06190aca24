import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusSource } from '../src/index';
import { startPrometheus, type RunningPrometheus } from './helpers/prometheusServer';

// History older than the server: the replay bounds are found with two queries, a coarse one in
// 5-minute steps and a fine one within the 5 minutes before its answer. A Prometheus younger than
// one 5-minute step (every other test's) never runs the second query with its `@` time; a
// backfilled TSDB does, against the real PromQL parser.
describe('prometheus source: replay bounds of a history older than the server', () => {
  let prom: RunningPrometheus | undefined;
  // Two hours ago, on a whole second that is not on a 5-minute boundary.
  const firstSec = Math.floor(Date.now() / 1000 / 300) * 300 - 7200 + 137;

  beforeAll(async () => {
    const lines = ['# TYPE up gauge'];
    // One sample every 15 s for 30 minutes, from two hours ago.
    for (let t = firstSec; t < firstSec + 1800; t += 15) {
      lines.push(`up{job="mesh",instance="10.0.0.1:4191"} 1 ${t}`);
    }
    prom = await startPrometheus([], { backfill: `${lines.join('\n')}\n# EOF\n` });
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
  });

  it('reports the first sample, to the second, as the earliest replayable time', async () => {
    const history = await createPrometheusSource({
      url: prom?.url ?? '',
      dialect: 'linkerd',
    }).history();
    expect(history.earliestMs).toBe(firstSec * 1000);
    expect(history.latestMs).toBeGreaterThan(firstSec * 1000 + 7000 * 1000);
  });
});
