/**
 * Child of h2.bench.ts: two meshlens proxies in one process, as in the mesh (the caller's
 * outbound, then the callee's inbound over mTLS from a throw-away CA), in front of the bench
 * upstream. Prints {"port": outbound, "admin": ...} when ready.
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app';
import { FileDiscovery } from '../src/discovery/fileDiscovery';
import { parseFlags } from '../src/flags';
import { MeshTls } from '../src/mtls';
import { createTestCa } from '../test/testCa';

const [peerProtocol = 'h2', upstreamPort = '0'] = process.argv.slice(2);
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function proxy(service: string, args: string[], endpoints: object[]) {
  const ca = await caReady;
  const parsed = parseFlags(
    ['--service', service, '--namespace', 'shop', '--service-account', service, ...args],
    {},
  );
  if (parsed.kind !== 'ok') throw new Error(JSON.stringify(parsed));
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'meshlens-h2bench-')), 'd.json');
  writeFileSync(file, JSON.stringify({ endpoints }));
  const discovery = new FileDiscovery({ file, logger });
  await discovery.start();
  const identity = await ca.identity('shop', service);
  const app = createApp({
    flags: parsed.flags,
    logger,
    discovery: [discovery],
    meshTls: new MeshTls(identity, 'strict', 'cluster.local', logger),
  });
  return app.start();
}

const caReady = createTestCa();
const callee = await proxy(
  'backend',
  ['--app-port', upstreamPort, '--peer-protocol', peerProtocol, '--trace-sample-rate', '0'],
  [],
);
const caller = await proxy(
  'web',
  ['--peer-protocol', peerProtocol, '--trace-sample-rate', '0'],
  [
    {
      namespace: 'shop',
      service: 'backend',
      workload: 'backend',
      pod: 'backend-0',
      address: '127.0.0.1',
      port: callee.inbound.port,
      serviceAccount: 'backend',
    },
  ],
);
console.log(JSON.stringify({ port: caller.outbound.port, admin: caller.admin.port }));
process.on('SIGTERM', () => process.exit(0));
