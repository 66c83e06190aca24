import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discoveryYaml,
  spawnProxy,
  startUpstream,
  tempDir,
  type ProxyProcess,
  type Upstream,
} from './helpers';

const TOTAL = 100 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 7);

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

/** Writes TOTAL bytes respecting backpressure. */
async function pump(out: NodeJS.WritableStream): Promise<void> {
  for (let sent = 0; sent < TOTAL; sent += CHUNK.length) {
    if (!out.write(CHUNK)) await new Promise((r) => out.once('drain', r));
  }
  out.end();
}

/** Reads a stream slowly (a pause every MiB) so a proxy without backpressure would buffer. */
function drainSlowly(
  stream: NodeJS.ReadableStream & { pause(): void; resume(): void },
): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = 0;
    let nextPause = 1024 * 1024;
    stream.on('data', (c: Buffer) => {
      n += c.length;
      if (n >= nextPause) {
        nextPause += 1024 * 1024;
        stream.pause();
        setTimeout(() => stream.resume(), 3);
      }
    });
    stream.on('end', () => resolve(n));
    stream.on('error', reject);
  });
}

describe('streaming 100 MB bodies', () => {
  let up: Upstream;
  let proxy: ProxyProcess;
  let peak = 0;
  let sampler: NodeJS.Timeout;

  beforeAll(async () => {
    up = await startUpstream((req, res) => {
      if (req.method === 'POST') {
        void drainSlowly(req).then((n) => res.end(String(n)));
      } else {
        res.setHeader('content-length', TOTAL);
        void pump(res);
      }
    });
    const file = path.join(tempDir(), 'discovery.yaml');
    writeFileSync(file, discoveryYaml([{ service: 'blobs', port: up.port }]));
    proxy = await spawnProxy(['--discovery-file', file, '--log-level', 'warn']);
  });

  afterAll(async () => {
    clearInterval(sampler);
    await proxy.stop();
    await up.close();
  });

  it('passes uploads and downloads through with flat proxy memory', async () => {
    const pid = proxy.child.pid!;
    // Warm up code paths and buffers before the baseline.
    await new Promise<void>((resolve, reject) => {
      http
        .get(
          { host: '127.0.0.1', port: proxy.outbound, path: '/', headers: { host: 'blobs.shop' } },
          (res) => {
            res.resume();
            res.on('end', resolve);
          },
        )
        .on('error', reject);
    });
    const baseline = rssBytes(pid);
    sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);

    const uploaded = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: proxy.outbound,
          method: 'POST',
          path: '/upload',
          headers: { host: 'blobs.shop', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      void pump(req);
    });
    expect(uploaded).toBe(String(TOTAL));

    const downloaded = await new Promise<number>((resolve, reject) => {
      http
        .get(
          {
            host: '127.0.0.1',
            port: proxy.outbound,
            path: '/download',
            headers: { host: 'blobs.shop' },
          },
          (res) => {
            drainSlowly(res).then(resolve, reject);
          },
        )
        .on('error', reject);
    });
    expect(downloaded).toBe(TOTAL);
    clearInterval(sampler);
    const growthMb = (peak - baseline) / 1024 / 1024;
    console.log(
      `proxy RSS baseline ${(baseline / 1048576).toFixed(1)} MiB, peak growth ${growthMb.toFixed(1)} MiB for 2 x 100 MiB`,
    );
    expect(growthMb).toBeLessThan(40);
  });
});
