import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { HttpError, createCaller, sendJson } from './http';
import type { Caller } from './http';
import type { Handler, ServiceContext } from './services/context';
import { catalogHandler } from './services/catalog';
import { checkoutHandler } from './services/checkout';
import { paymentsHandler } from './services/payments';
import { ratingsHandler } from './services/ratings';
import { reviewsHandler } from './services/reviews';
import { webHandler } from './services/web';
import { createInventoryCaller } from './grpc/inventoryCaller';
import { startGrpcInstance } from './grpcInstance';
import type { InstanceSpec, ServiceName } from './topology';

const idle: Handler = () => Promise.resolve(false);

const handlers: Record<ServiceName, (ctx: ServiceContext) => Handler> = {
  web: webHandler,
  catalog: catalogHandler,
  reviews: reviewsHandler,
  ratings: (ctx) => ratingsHandler(ctx),
  checkout: checkoutHandler,
  payments: paymentsHandler,
  // gRPC, served by startGrpcInstance
  inventory: () => idle,
  // load generators only call out; their server just answers /healthz
  loadgen: () => idle,
  scraper: () => idle,
};

export interface RunningInstance {
  spec: InstanceSpec;
  port: number;
  caller: Caller;
  setOutbound: (url: string) => void;
  close: () => Promise<void>;
}

export interface InstanceOptions {
  address: string;
  port: number;
  outboundUrl?: string | undefined;
  logger: Logger;
  random?: () => number;
}

export async function startInstance(
  spec: InstanceSpec,
  o: InstanceOptions,
): Promise<RunningInstance> {
  if (spec.service === 'inventory') return startGrpcInstance(spec, o);
  let outbound = o.outboundUrl;
  const caller = createCaller(() => outbound);
  const inventory = createInventoryCaller(() => outbound);
  const handler = handlers[spec.service]({
    instance: spec,
    caller,
    inventory,
    random: o.random ?? Math.random,
  });
  const log = o.logger.child({ pod: spec.pod });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://app');
    const segments = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    const method = req.method ?? 'GET';
    if (segments.length === 1 && segments[0] === 'healthz') {
      sendJson(res, 200, { status: 'ok', pod: spec.pod });
      return;
    }
    handler({ req, res, method, segments })
      .then((handled) => {
        if (!handled)
          sendJson(res, 404, {
            error: `${method} ${url.pathname} is not a ${spec.service} endpoint`,
          });
      })
      .catch((err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        const message = err instanceof Error ? err.message : String(err);
        if (status >= 500) log.warn({ err: message, path: url.pathname }, 'request failed');
        if (!res.headersSent) sendJson(res, status, { error: message });
        else res.destroy();
      });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.address, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    spec,
    port,
    caller,
    setOutbound: (url) => {
      outbound = url;
    },
    close: () =>
      new Promise((resolve) => {
        inventory.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
