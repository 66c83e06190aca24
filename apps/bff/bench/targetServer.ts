/*
 * Bench helper process: one HTTP server on 127.0.0.1 answering /t/<i>/metrics for any i with a
 * Linkerd-like body of ~2,000 series that changes every interval. Runs in its own process so its
 * CPU does not count against the BFF's event loop. Prints {"port":N} and serves until killed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { meshBody, shapeOf } from './meshBody';

const workloads = Number(process.env.BENCH_WORKLOADS ?? '100');
const intervalMs = Number(process.env.BENCH_INTERVAL_MS ?? '10000');
const cache = new Map<number, { round: number; body: Buffer }>();

function bodyFor(workload: number): Buffer {
  const round = Math.floor(Date.now() / intervalMs);
  const hit = cache.get(workload);
  if (hit?.round === round) return hit.body;
  const body = Buffer.from(meshBody(shapeOf(workload, workloads), round));
  cache.set(workload, { round, body });
  return body;
}

const server = http.createServer((req, res) => {
  const m = /^\/t\/(\d+)\/metrics$/.exec(req.url ?? '');
  if (!m) {
    res.statusCode = 404;
    res.end();
    return;
  }
  const body = bodyFor(Number(m[1]) % workloads);
  res.setHeader('content-type', 'text/plain; version=0.0.4');
  res.setHeader('content-length', body.length);
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
