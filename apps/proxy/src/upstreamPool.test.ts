import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptOutcome } from './attempt';
import { createUpstreamPool, originOf, sendOverPool } from './upstreamPool';

// undici loads on a pool's first request (issue 11: an idle sidecar does not pay for it). These
// pin what that laziness must not change: the first request is carried, a cancel while loading
// answers at once and sends nothing, a pool closed while loading fails its requests.

let server: http.Server;
let origin: string;
let seen = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen++;
    req.resume();
    res.end(`hello ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = originOf('127.0.0.1', (server.address() as AddressInfo).port);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const get = (path: string) => ({ method: 'GET', path, headers: { host: 'x' }, body: undefined });

function bodyOf(outcome: AttemptOutcome): Promise<string> {
  if (outcome.kind !== 'response' || outcome.res.direct === undefined) {
    throw new Error(`expected a pool response, got ${JSON.stringify(outcome)}`);
  }
  const direct = outcome.res.direct;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    direct.attach({
      data: (c) => chunks.push(c) > 0,
      end: () => resolve(Buffer.concat(chunks).toString()),
      error: reject,
    });
  });
}

describe('upstream pool', () => {
  it('loads undici on the first request, then hands out the same dispatcher synchronously', async () => {
    const pool = createUpstreamPool(() => undefined);
    try {
      const first = pool.ready();
      expect(first).toBeInstanceOf(Promise);
      const dispatcher = await first;
      expect(pool.ready()).toBe(dispatcher);
      const outcome = await sendOverPool(pool, origin, get('/one')).outcome;
      expect(await bodyOf(outcome)).toBe('hello /one');
    } finally {
      await pool.close();
    }
  });

  it("carries a fresh pool's first request once undici has loaded", async () => {
    const pool = createUpstreamPool(() => undefined);
    try {
      const outcome = await sendOverPool(pool, origin, get('/first')).outcome;
      expect(outcome.kind === 'response' && outcome.res.statusCode).toBe(200);
      expect(await bodyOf(outcome)).toBe('hello /first');
    } finally {
      await pool.close();
    }
  });

  it('a request cancelled while undici loads answers timeout at once and is never sent', async () => {
    const pool = createUpstreamPool(() => undefined);
    try {
      const before = seen;
      const attempt = sendOverPool(pool, origin, get('/cancelled'));
      attempt.cancel();
      expect(await attempt.outcome).toEqual({
        kind: 'error',
        error: 'timeout',
        message: 'timeout',
        bodyStarted: false,
      });
      // the next request on the same pool is the only one the upstream sees
      expect(await bodyOf(await sendOverPool(pool, origin, get('/after')).outcome)).toBe(
        'hello /after',
      );
      expect(seen - before).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('a pool closed while undici loads fails the waiting request instead of leaving it open', async () => {
    const pool = createUpstreamPool(() => undefined);
    const attempt = sendOverPool(pool, origin, get('/closing'));
    await pool.close();
    const outcome = await attempt.outcome;
    expect(outcome.kind).toBe('error');
  });
});
