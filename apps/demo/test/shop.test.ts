import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadMeshConfigDir } from '@meshlens/mesh-config';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance } from '../src/instance';
import type { RunningInstance } from '../src/instance';
import { nextShopperRequest } from '../src/loadgen';
import { shopInstances } from '../src/topology';

/**
 * The shop's apps with a stand-in for their proxies: a router that sends `Host: <svc>.shop`
 * to an instance of that service (reviews -> v2, so ratings is exercised) and records what
 * each app sent out.
 */
interface Seen {
  host: string;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

let instances: RunningInstance[] = [];
let router: Server;
let front: net.Server;
const seen: Seen[] = [];
const never = () => 0.99; // no injected ratings failures, no slow payments

function target(host: string): RunningInstance | undefined {
  const service = host.split('.')[0];
  const pod = service === 'reviews' ? 'reviews-v2-0' : undefined;
  return instances.find((i) => (pod ? i.spec.pod === pod : i.spec.service === service));
}

beforeAll(async () => {
  const logger = pino({ level: 'silent' });
  instances = await Promise.all(
    shopInstances.map((s) =>
      startInstance(s, { address: '127.0.0.1', port: 0, logger, random: never }),
    ),
  );
  router = createServer((req, res) => {
    const host = req.headers.host ?? '';
    seen.push({ host, method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const inst = target(host);
    if (!inst) {
      res.writeHead(503).end();
      return;
    }
    const up = request(
      {
        host: '127.0.0.1',
        port: inst.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    req.pipe(up);
  });
  // gRPC clients speak h2c, which the HTTP/1.1 router cannot: their connections (the HTTP/2
  // preface starts with "PRI") are passed through to inventory, the one gRPC service.
  front = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('readable', () => {
      const first = socket.read() as Buffer | null;
      if (first === null) return;
      if (first.subarray(0, 3).toString() !== 'PRI') {
        socket.unshift(first);
        router.emit('connection', socket);
        return;
      }
      const inventory = instances.find((i) => i.spec.service === 'inventory');
      const up = net.connect(inventory?.port ?? 1, '127.0.0.1');
      up.on('error', () => socket.destroy());
      up.write(first);
      socket.pipe(up).pipe(socket);
    });
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  instances.forEach((i) => i.setOutbound(url));
});

afterAll(async () => {
  await Promise.all(instances.map((i) => i.close()));
  router.closeAllConnections();
  await new Promise((r) => front.close(r));
});

const web = () => instances.find((i) => i.spec.pod === 'loadgen-0')?.caller;
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('the demo shop', () => {
  it('has at least six services and nine instances', () => {
    expect(new Set(shopInstances.map((i) => i.service)).size).toBe(9);
    expect(shopInstances.length).toBe(11);
  });

  it('serves a product page from catalog and reviews (v2 with ratings), propagating traceparent', async () => {
    seen.length = 0;
    const res = await web()?.call('web', '/products/3', { headers: { traceparent } });
    expect(res?.status).toBe(200);
    const body = res?.body as {
      page: string;
      product: { name: string };
      reviews: { version: string; rating: { average: number } };
    };
    expect(body.page).toBe('product');
    expect(body.product.name).toBe('Ultralight tent 2P');
    expect(body.reviews.version).toBe('v2');
    expect(body.reviews.rating.average).toBe(3.1);
    expect(seen.map((s) => `${s.method} ${s.host}${s.path}`).sort()).toEqual([
      'GET catalog.shop/products/3',
      'GET ratings.shop/ratings/3',
      'GET reviews.shop/reviews/3',
      'GET web.shop/products/3',
    ]);
    expect(seen.every((s) => s.headers.traceparent === traceparent)).toBe(true);
  });

  it('checks out through catalog, inventory (gRPC) and payments', async () => {
    seen.length = 0;
    const res = await web()?.call('web', '/checkout', {
      method: 'POST',
      body: { items: [{ productId: '4', quantity: 2 }] },
    });
    expect(res?.status).toBe(201);
    expect(res?.body).toMatchObject({
      total: 79,
      currency: 'EUR',
      payment: { amount: 79, status: 'captured' },
      reservedBy: 'inventory-0',
    });
    expect(seen.map((s) => `${s.method} ${s.host}${s.path}`)).toEqual([
      'POST web.shop/checkout',
      'POST checkout.shop/orders',
      'GET catalog.shop/products/4',
      'POST payments.shop/charges',
    ]);
  });

  it('answers JSON errors: unknown product 404, bad order 400 at checkout', async () => {
    expect((await web()?.call('web', '/products/99'))?.status).toBe(404);
    const bad = await web()?.call('checkout', '/orders', { method: 'POST', body: { items: [] } });
    expect(bad?.status).toBe(400);
    expect(bad?.body).toEqual({ error: 'items must be a list of 1 to 20 {productId, quantity}' });
  });

  it('ratings fails with 500 at its configured rate', async () => {
    const { ratingsHandler } = await import('../src/services/ratings');
    const statuses: number[] = [];
    const fakeRes = { writeHead: (s: number) => statuses.push(s), end: () => undefined };
    let i = 0;
    // alternates: work draw, then failure draw 0.01 (< 5%) every 4th request
    const random = () => (i++ % 8 === 1 ? 0.01 : 0.5);
    const handler = ratingsHandler({
      instance: shopInstances[5]!,
      caller: { call: () => Promise.reject(new Error()) },
      inventory: { reserve: () => Promise.reject(new Error()), close: () => undefined },
      random,
    });
    for (let n = 0; n < 8; n++) {
      await handler({
        req: {} as never,
        res: fakeRes as never,
        method: 'GET',
        segments: ['ratings', '1'],
      });
    }
    expect(statuses).toEqual([500, 200, 200, 200, 500, 200, 200, 200]);
  });

  it('load generator mix: mostly browsing, some checkouts, some v2 clients', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const counts: Record<string, number> = {};
    for (let n = 0; n < 2000; n++) {
      const r = nextShopperRequest(random);
      const key = `${r.method} ${r.path.split('/')[1] ?? ''}${r.headers['x-api-version'] ? ' v2' : ''}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual([
      'GET ',
      'GET products',
      'GET products v2',
      'POST checkout',
    ]);
    expect(counts['GET products']! / 2000).toBeCloseTo(0.54, 1);
    expect(counts['POST checkout']! / 2000).toBeCloseTo(0.2, 1);
    expect(counts['GET products v2']! / 2000).toBeLessThan(0.02);
  });
});

describe('mesh config of the demo', () => {
  it('is valid mesh-config', async () => {
    const dir = fileURLToPath(new URL('../mesh-config', import.meta.url));
    const result = await loadMeshConfigDir(dir);
    expect(result.ok ? 'ok' : result.errors).toBe('ok');
  });
});
