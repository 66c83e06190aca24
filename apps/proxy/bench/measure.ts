/**
 * Measuring helpers of the proxy benchmark: bounded wrk runs, per-process CPU and RSS from
 * /proc, open-loop latency at one connection, and the self-time summary of a .cpuprofile.
 */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const CLK_TCK = 100;

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

/** Debian's wrk, installed with apt when missing (never from a CI helper). */
export function ensureWrk(): string {
  try {
    return execFileSync('which', ['wrk'], { encoding: 'utf8' }).trim();
  } catch {
    console.log('wrk is missing: installing the Debian package (sudo apt-get install -y wrk)');
    execFileSync('sudo', ['apt-get', 'install', '-y', 'wrk'], { stdio: 'inherit' });
    return execFileSync('which', ['wrk'], { encoding: 'utf8' }).trim();
  }
}

export interface Saturation {
  requests: number;
  rps: number;
  errors: number;
  /** CPU seconds of the measured processes over the run */
  cpuSeconds: number;
  /** highest RSS of the measured processes seen during the run */
  peakRssMb: number;
}

/**
 * `wrk -t1 -cN -dS` against url with a Host header, while sampling the measured processes' RSS;
 * CPU is read from /proc before and after, so it is the processes' own time, whatever else runs.
 */
export async function saturate(
  wrk: string,
  url: string,
  host: string,
  connections: number,
  seconds: number,
  pids: number[],
): Promise<Saturation> {
  const cpu0 = pids.reduce((a, p) => a + cpuSeconds(p), 0);
  let peak = 0;
  const sampler = setInterval(() => {
    for (const p of pids) peak = Math.max(peak, rssMb(p));
  }, 100);
  const out = await new Promise<string>((resolve, reject) => {
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '-H', `Host: ${host}`, url];
    const child = spawn(wrk, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(text);
      else reject(new Error(`wrk exited ${code}: ${text}`));
    });
  });
  clearInterval(sampler);
  const cpu = pids.reduce((a, p) => a + cpuSeconds(p), 0) - cpu0;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const sockErrors = sock ? sock.slice(1).reduce((a, n) => a + Number(n), 0) : 0;
  return { requests, rps, errors: non2xx + sockErrors, cpuSeconds: cpu, peakRssMb: peak };
}

export interface Latency {
  p50: number;
  p99: number;
  /** samples behind the percentiles */
  samples: number;
  errors: number;
}

/**
 * Open-loop latency at ONE keep-alive connection per target, the targets INTERLEAVED: one
 * schedule at `rps` per target sends to each target in turn, so every target is sampled across
 * the same seconds. A stall of the machine (another tenant, the scheduler, the client's own GC)
 * then lands on every target alike instead of on whichever one was measured at the time; the
 * difference of two targets' percentiles is the difference of what they add. Latency is taken
 * from the send, so a request queued behind a slow one on its connection counts its wait.
 */
export async function pacedInterleaved(
  ports: number[],
  host: string,
  rps: number,
  seconds: number,
): Promise<Latency[]> {
  const targets = ports.map((port) => ({
    port,
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    lat: [] as number[],
    errors: 0,
  }));
  const once = (t: (typeof targets)[number]) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.request(
        { host: '127.0.0.1', port: t.port, path: '/api/items', headers: { host }, agent: t.agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) t.lat.push(performance.now() - t0);
            else t.errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        t.errors++;
        resolve();
      });
      req.end();
    });
  for (let i = 0; i < 100; i++) {
    await Promise.all(targets.map((t) => once(t))); // warm-up
  }
  for (const t of targets) {
    t.lat.length = 0;
    t.errors = 0;
  }
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  const interval = 1000 / (rps * targets.length);
  const total = Math.round(rps * seconds) * targets.length;
  for (let i = 0; i < total; i++) {
    const wait = t0 + i * interval - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (performance.now() - t0 > seconds * 3000) break; // bounded in time
    pending.push(once(targets[i % targets.length] as (typeof targets)[number]));
  }
  await Promise.all(pending);
  return targets.map((t) => {
    t.agent.destroy();
    const lat = t.lat.sort((a, b) => a - b);
    const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
    return { p50: q(0.5), p99: q(0.99), samples: lat.length, errors: t.errors };
  });
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Top self-time frames of a V8 .cpuprofile: [label, share of the busy time]. Idle time is left
 * out; start-up (module compilation) is in, small next to seconds of saturation.
 */
export function topSelfFrames(file: string, n: number): [string, number][] {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    const f = byId.get(id)?.callFrame;
    if (!f || f.functionName === '(idle)') return;
    const where = f.url ? `${f.url.replace(/^.*\/(node_modules\/)?/, '')}:${f.lineNumber + 1}` : '';
    const label = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(label, (self.get(label) ?? 0) + dt);
    total += dt;
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => [k, v / total]);
}

/** The proxy's bundle, built exactly as it ships (scripts/build.mjs), before a bench runs it. */
export function buildProxy(root: string): void {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
}

/** An OTLP/HTTP endpoint that accepts and drops every batch: where the measured proxies' spans go. */
export async function startSpanSink(): Promise<{ url: string; close(): void }> {
  const sink = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/v1/traces`,
    close: () => sink.close(),
  };
}
