import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrometheusServer {
  url: string;
  query(expr: string, timeMs: number): Promise<VectorOrMatrix[]>;
  stop(): Promise<void>;
}

export interface VectorOrMatrix {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}`);
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

/** Backfills OpenMetrics text into a fresh TSDB and serves it with the real Prometheus engine. */
export async function startPrometheusWith(openMetrics: string): Promise<PrometheusServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'meshlens-prom-oracle-'));
  const input = path.join(dir, 'input.om.txt');
  const data = path.join(dir, 'data');
  const config = path.join(dir, 'prometheus.yml');
  await writeFile(input, openMetrics);
  await writeFile(config, 'global: {}\n');
  await run('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data]);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=100y',
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, 20000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    stop,
    async query(expr: string, timeMs: number): Promise<VectorOrMatrix[]> {
      const params = new URLSearchParams({ query: expr, time: (timeMs / 1000).toFixed(3) });
      const res = await fetch(`${url}/api/v1/query?${params.toString()}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { result: VectorOrMatrix[] };
      };
      if (body.status !== 'success' || !body.data)
        throw new Error(`query ${expr}: ${body.error ?? res.status}`);
      return body.data.result;
    },
  };
}

export function promValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}
