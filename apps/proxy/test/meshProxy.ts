import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseMeshConfigText } from '@meshlens/mesh-config';
import { createApp, type ProxyApp } from '../src/app';
import { FileDiscovery } from '../src/discovery/fileDiscovery';
import { parseFlags } from '../src/flags';
import { ConfigStore } from '../src/meshConfigSource';
import { createMeshAuthorizer, createMeshRouter } from '../src/meshRouter';
import { MeshTls } from '../src/mtls';
import { silentLogger, tempDir } from './helpers';
import type { TestIdentity } from './testCa';

export interface MeshProxy {
  app: ProxyApp;
  inbound: number;
  outbound: number;
  admin: number;
  stop(): Promise<void>;
}

/**
 * A proxy in-process with mesh config (routes, faults, authorization) from YAML, as the control
 * plane would push it, and optionally workload mTLS from a test CA.
 */
export async function startMeshProxy(opts: {
  service: string;
  serviceAccount?: string;
  config: string;
  appPort?: number;
  endpoints?: object[];
  identity?: TestIdentity;
  tlsMode?: 'permissive' | 'strict';
  args?: string[];
  traceCollectorUrl?: string;
}): Promise<MeshProxy> {
  const args = ['--namespace', 'shop', '--service', opts.service, ...(opts.args ?? [])];
  if (opts.serviceAccount !== undefined) args.push('--service-account', opts.serviceAccount);
  if (opts.appPort !== undefined) args.push('--app-port', String(opts.appPort));
  if (opts.traceCollectorUrl !== undefined)
    args.push('--trace-collector-url', opts.traceCollectorUrl);
  const parsed = parseFlags(args, {});
  if (parsed.kind !== 'ok') throw new Error(`bad test flags: ${JSON.stringify(parsed)}`);
  const file = path.join(tempDir(), 'discovery.json');
  writeFileSync(file, JSON.stringify({ endpoints: opts.endpoints ?? [] }));
  const discovery = new FileDiscovery({ file, logger: silentLogger });
  await discovery.start();
  const store = new ConfigStore();
  const cfg = parseMeshConfigText(opts.config, 'mesh.yaml');
  if (!cfg.ok) throw new Error(JSON.stringify(cfg.errors));
  store.set(cfg.config, 'test');
  const meshTls =
    opts.identity === undefined
      ? undefined
      : new MeshTls(opts.identity, opts.tlsMode ?? 'strict', 'cluster.local', silentLogger);
  const app = createApp({
    flags: parsed.flags,
    logger: silentLogger,
    discovery: [discovery],
    router: createMeshRouter(store, () => 0),
    authorizer: createMeshAuthorizer(store, { service: opts.service, namespace: 'shop' }),
    ...(meshTls === undefined ? {} : { meshTls }),
  });
  const bound = await app.start();
  return {
    app,
    inbound: bound.inbound.port,
    outbound: bound.outbound.port,
    admin: bound.admin.port,
    stop: () => app.stop(100),
  };
}
