import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './fakeApiServer';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** ../shared/testdata/kubernetes beside the checkout (or under MESHLENS_TESTDATA). */
export function kubeTestdata(): string | undefined {
  const dir = path.join(
    process.env.MESHLENS_TESTDATA ?? path.resolve(repoRoot, '../shared/testdata'),
    'kubernetes',
  );
  if (existsSync(dir)) return dir;
  if (process.env.CI === 'true')
    throw new Error(`test data folder ${dir} is missing (required in CI)`);
  console.warn(`skipping: test data folder ${dir} not found`);
  return undefined;
}

/** Every document of a YAML file of the Gateway API examples. */
export function gatewayApiDocs(dir: string, file: string): KubeObject[] {
  const text = readFileSync(path.join(dir, 'gateway-api', file), 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((d): d is KubeObject => d !== null);
}

export const MESH_NS = 'gateway-conformance-mesh';

/** An EndpointSlice of `service` listing `endpoints` (address, ready) on one port. */
export function endpointSlice(
  service: string,
  port: number,
  endpoints: Array<{ address: string; ready: boolean; pod: string; zone?: string }>,
  name = `${service}-abcde`,
): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: MESH_NS,
      labels: { 'kubernetes.io/service-name': service },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: endpoints.map((e) => ({
      addresses: [e.address],
      conditions: { ready: e.ready, serving: e.ready, terminating: false },
      targetRef: { kind: 'Pod', name: e.pod, namespace: MESH_NS },
      ...(e.zone ? { zone: e.zone } : {}),
    })),
  };
}

export interface Backend {
  address: string;
  port: number;
  hits: number;
  close(): Promise<void>;
}

/**
 * HTTP "pods" on distinct loopback addresses and one shared port, as pods of one Service are:
 * an EndpointSlice lists addresses with a single port.
 */
export async function startBackends(names: string[]): Promise<Record<string, Backend>> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const out: Record<string, Backend> = {};
    let port = 0;
    try {
      for (const [i, name] of names.entries()) {
        const b = await startBackend(name, `127.0.0.${i + 2}`, port);
        port = b.port;
        out[name] = b;
      }
      return out;
    } catch {
      await Promise.all(Object.values(out).map((b) => b.close()));
    }
  }
  throw new Error('could not bind backends on one port');
}

async function startBackend(name: string, address: string, port: number): Promise<Backend> {
  const b: Backend = { address, port: 0, hits: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    b.hits++;
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'x-backend': name });
    res.end(name);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  b.port = (server.address() as AddressInfo).port;
  b.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return b;
}
