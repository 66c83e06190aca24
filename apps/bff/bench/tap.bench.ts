/*
 * `npx tsx apps/bff/bench/tap.bench.ts`: how many tap events per second one BFF tap forwards.
 * PROXIES stand-in admin listeners (real sockets; a real proxy cannot be made to emit at will)
 * write NDJSON end events as fast as their sockets take them; the BFF (createApp, in process)
 * merges them for one SSE client that reads as fast as it can. Prints delivered events/s, the
 * BFF's drops and its largest per-browser buffer (the not-reading case is a counting test in
 * test/tap.test.ts). Bounded in time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '@meshlens/bff';
import { createEmbeddedSource } from '@meshlens/telemetry';

const PROXIES = 4;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

function flooder(pod: string): Promise<{ port: number; close(): void }> {
  let seq = 0;
  const line = () =>
    `${JSON.stringify({ type: 'end', id: `${pod}/${++seq}`, ts: Date.now(), status: 200, durationMs: 1.5, responseBytes: 120 })}\n`;
  const server = http.createServer((req, res) => {
    if ((req.url ?? '').startsWith('/metrics')) {
      res.end('');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const pump = () => {
      while (!res.destroyed) {
        let batch = '';
        for (let i = 0; i < 100; i++) batch += line();
        if (!res.write(batch)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => {
          server.closeAllConnections();
          server.close();
        },
      }),
    ),
  );
}

async function run(
  port: number,
  read: boolean,
  stats: () => { sessions: number; maxBufferedEvents: number; droppedSlowConsumer: number },
) {
  // the previous phase's tap must be gone, or its counters would mix in
  while (stats().sessions > 0) await new Promise((r) => setTimeout(r, 20));
  let events = 0;
  let maxBuffered = 0;
  let dropped = 0;
  await new Promise<void>((resolve) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: '/api/v1/tap?kind=namespace&name=bench&maxRps=1000' },
      (res) => {
        let partial = '';
        if (!read) res.pause();
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          const parts = (partial + c).split('\n\n');
          partial = parts.pop() ?? '';
          for (const p of parts) if (p.startsWith('event: tap\n')) events++;
        });
        res.on('error', () => undefined);
      },
    );
    const sample = setInterval(() => {
      const s = stats();
      maxBuffered = Math.max(maxBuffered, s.maxBufferedEvents);
      dropped = Math.max(dropped, s.droppedSlowConsumer);
    }, 50);
    setTimeout(() => {
      clearInterval(sample);
      req.destroy();
      resolve();
    }, SECONDS * 1000);
  });
  return { perSecond: events / SECONDS, maxBuffered, droppedPerSecond: dropped / SECONDS };
}

async function main(): Promise<void> {
  const floods = await Promise.all(
    Array.from({ length: PROXIES }, (_, i) => flooder(`bench-${i}`)),
  );
  const source = createEmbeddedSource({
    targets: floods.map((f, i) => ({
      url: `http://127.0.0.1:${f.port}/metrics`,
      labels: { namespace: 'bench', deployment: 'flood', pod: `bench-${i}` },
    })),
    workers: 0,
    scrapeIntervalMs: 60_000,
  });
  await source.start();
  const bff = createApp({ source, tap: { maxRps: 1000 } });
  const server = http.createServer(bff.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const stats = () => bff.tap.stats();
  const reading = await run(port, true, stats);
  console.log(
    `\nmeshlens BFF tap bench: ${PROXIES} stand-in proxies flooding end events, one SSE client, ${SECONDS} s per phase`,
  );
  console.log('client          events/s forwarded   BFF drops/s   largest buffer (events)');
  for (const [name, r] of [['reading', reading]] as const) {
    console.log(
      `${name.padEnd(15)} ${r.perSecond.toFixed(0).padStart(18)} ${r.droppedPerSecond.toFixed(0).padStart(13)} ${String(r.maxBuffered).padStart(25)}`,
    );
  }
  server.closeAllConnections();
  server.close();
  bff.close();
  await source.stop();
  for (const f of floods) f.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
