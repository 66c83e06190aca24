import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, createFixtureSource, type FixtureSource } from '@meshlens/bff';

export interface FixtureBff {
  /** http://127.0.0.1:PORT + base path, no trailing slash */
  url: string;
  port: number;
  source: FixtureSource;
  /** stop listening (connections closed); restart() listens again on the same port */
  stopServer(): Promise<void>;
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function shut(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** The real BFF (createApp) over the deterministic fixture source, serving the built SPA. */
export async function startFixtureBff(opts: {
  webDist: string;
  basePath?: string;
  hostileNames?: boolean;
  tickIntervalMs?: number;
  /** the `reviews` app in two versions */
  canary?: boolean;
  /** namespaces labelled with two clusters */
  clusters?: boolean;
}): Promise<FixtureBff> {
  const source = createFixtureSource({
    hostileNames: opts.hostileNames ?? false,
    tickIntervalMs: opts.tickIntervalMs ?? 1000,
    canary: opts.canary ?? false,
    clusters: opts.clusters ?? false,
  });
  await source.start();
  const bff = createApp({
    source,
    webDist: opts.webDist,
    basePath: opts.basePath ?? '',
    seedSpans: source.seedSpans(),
  });
  let server = createServer(bff.app);
  const port = await listen(server, 0);
  return {
    url: `http://127.0.0.1:${port}${opts.basePath ?? ''}`,
    port,
    source,
    stopServer: () => shut(server),
    async restartServer() {
      server = createServer(bff.app);
      await listen(server, port);
    },
    async close() {
      await shut(server);
      bff.close();
      await source.stop();
    },
  };
}
