import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { unusedPort } from './servers';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const PROMTOOL_BIN = path.join(path.dirname(PROMETHEUS_BIN), 'promtool');

export interface StaticScrapeTarget {
  address: string;
  labels: Record<string, string>;
}

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('prometheus did not become ready in time');
}

/**
 * A real Prometheus on 127.0.0.1 with a generated config and a temporary TSDB. `backfill`
 * (OpenMetrics text, ending in `# EOF`) is written into the TSDB with `promtool` first, for
 * history older than the test.
 */
export async function startPrometheus(
  targets: StaticScrapeTarget[],
  options: { backfill?: string } = {},
): Promise<RunningPrometheus> {
  if (!existsSync(PROMETHEUS_BIN))
    throw new Error(`${PROMETHEUS_BIN} not found (Debian package prometheus)`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meshlens-prom-'));
  if (options.backfill !== undefined) {
    await writeFile(path.join(dir, 'backfill.om.txt'), options.backfill);
    const args = ['tsdb', 'create-blocks-from', 'openmetrics'];
    await promisify(execFile)(PROMTOOL_BIN, [
      ...args,
      path.join(dir, 'backfill.om.txt'),
      path.join(dir, 'data'),
    ]).catch(async (err: unknown) => {
      await rm(dir, { recursive: true, force: true });
      throw err;
    });
  }
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1m' },
    scrape_configs: [
      {
        job_name: 'mesh',
        static_configs: targets.map((t) => ({ targets: [t.address], labels: t.labels })),
      },
    ],
  };
  // JSON is YAML
  await writeFile(path.join(dir, 'prometheus.yml'), JSON.stringify(config));
  const port = await unusedPort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, Date.now() + 20_000);
  } catch (err) {
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${stderr}`);
  }
  return { url, stop };
}
