import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  controlPlaneResponseSchema,
  diagnosisResponseSchema,
  statusResponseSchema,
  traceNamesResponseSchema,
  targetsResponseSchema,
} from '@meshlens/contract';
import {
  type ControlPlaneClient,
  createControlPlaneClient,
  createTokenAdminClient,
} from '@meshlens/cp-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Proc, eventually, startTsx } from './processes';
import { startReplay } from './replayServer';

const BFF = 'apps/bff/src/main.ts';
const procs: Proc[] = [];
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.stop('SIGKILL')));
});

async function json(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

describe('main.ts', () => {
  it('prints --help and rejects bad flags naming them', async () => {
    // Two short-lived processes at once: each start costs seconds on a loaded machine
    // (the other flag errors are unit-tested in src/flags.test.ts).
    const help = startTsx(BFF, ['--help']);
    const bad = startTsx(BFF, ['--port', 'nope']);
    procs.push(help, bad);
    expect(await help.exited).toBe(0);
    expect(help.lines.join('\n')).toContain('--prometheus-url URL');
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/^meshlens-bff: --port: /);
  });

  it('runs the fixture source, simulates an outage while the down-file exists, drains on SIGTERM', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bff-down-'));
    const downFile = path.join(dir, 'down');
    const bff = startTsx(BFF, [
      '--source',
      'fixture',
      '--port',
      '0',
      '--fixture-now',
      '1764000000000',
      '--fixture-down-file',
      downFile,
    ]);
    procs.push(bff);
    const listening = await bff.waitForLog('listening');
    const url = String(listening.url).replace(/\/$/, '');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const status = statusResponseSchema.parse(await json(`${url}/api/v1/status`));
    expect(status.source).toMatchObject({ kind: 'fixture', healthy: true });
    await writeFile(downFile, '');
    await eventually(async () =>
      (await fetch(`${url}/api/v1/stat`)).status === 503 ? true : undefined,
    );
    await rm(downFile);
    await eventually(async () =>
      (await fetch(`${url}/api/v1/stat`)).status === 200 ? true : undefined,
    );
    expect(await bff.stop('SIGTERM')).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('main.ts with an external trace source', () => {
  it('reads traces from Jaeger with the token and tenant given as flags', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bff-jaeger-'));
    await writeFile(path.join(dir, 'token'), 'flag-token\n');
    const seen: string[] = [];
    const jaeger = await startReplay((req) => {
      seen.push(
        `${req.path} ${String(req.headers.authorization)} ${String(req.headers['x-scope-orgid'])}`,
      );
      if (req.path === '/api/services') return { body: '{"data":["web"]}' };
      return { body: '{"data":[]}' };
    });
    try {
      const bff = startTsx(BFF, [
        '--source',
        'fixture',
        '--port',
        '0',
        '--traces-source',
        'jaeger',
        '--traces-url',
        jaeger.url,
        '--traces-bearer-token-file',
        path.join(dir, 'token'),
        '--traces-tenant',
        'team-a',
      ]);
      procs.push(bff);
      const url = String((await bff.waitForLog('listening')).url).replace(/\/$/, '');
      const names = traceNamesResponseSchema.parse(await json(`${url}/api/v1/traces/services`));
      expect(names.names).toEqual(['web']);
      const d = diagnosisResponseSchema.parse(await json(`${url}/api/v1/diagnosis`));
      expect(d.sources.map((s) => [s.role, s.kind, s.healthy])).toEqual([
        ['metrics', 'fixture', true],
        ['traces', 'jaeger', true],
      ]);
      expect(seen[0]).toBe('/api/services Bearer flag-token team-a');
      expect(await bff.stop('SIGTERM')).toBe(0);
    } finally {
      await jaeger.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded source with the real control plane', () => {
  let exporter: Server | undefined;
  let client: ControlPlaneClient | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    client?.close();
    await new Promise((r) => (exporter ? exporter.close(r) : r(undefined)));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('scrapes the proxies the control plane knows and shows the control plane', async () => {
    // A stand-in proxy admin port serving Linkerd-style metrics.
    exporter = createServer((_req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(
        '# TYPE request_total counter\n' +
          'request_total{direction="inbound",authority="web.shop:8080",tls="true"} 42\n',
      );
    });
    await new Promise<void>((r) => exporter?.listen(0, '127.0.0.1', r));
    const adminPort = (exporter.address() as AddressInfo).port;

    dataDir = await mkdtemp(path.join(tmpdir(), 'bff-cp-'));
    const cp = startTsx('apps/control-plane/src/main.ts', ['--port', '0', '--data-dir', dataDir]);
    procs.push(cp);
    const listening = await cp.waitForLog('listening');
    const cpUrl = String(listening.url);
    // Each party proves who it is: the proxy as shop/web, the dashboard as its own identity.
    const admin = createTokenAdminClient({
      url: cpUrl,
      adminToken: (await readFile(String(listening.adminTokenFile), 'utf8')).trim(),
    });
    const mint = async (namespace: string, serviceAccount: string) =>
      (await admin.create({ namespace, serviceAccount, ttlSeconds: 3600 })).token;
    client = createControlPlaneClient({ url: cpUrl, token: await mint('shop', 'web') });
    const dashboardToken = path.join(dataDir, 'dashboard.token');
    await writeFile(dashboardToken, await mint('meshlens', 'meshlens-dashboard'), { mode: 0o600 });
    await client.register({
      namespace: 'shop',
      service: 'web',
      workload: 'web',
      pod: 'web-7d9f8-abcde',
      serviceAccount: 'web',
      address: '127.0.0.1',
      port: 8080,
      adminAddress: '127.0.0.1',
      adminPort,
      proxyVersion: '0.1.0',
    });

    const config = path.join(dataDir, 'bff.yaml');
    await writeFile(config, 'scrape:\n  interval: 1s\n');
    const bff = startTsx(BFF, [
      '--port',
      '0',
      '--control-plane-url',
      cpUrl,
      '--control-plane-token-file',
      dashboardToken,
      '--config',
      config,
    ]);
    procs.push(bff);
    const url = String((await bff.waitForLog('listening')).url).replace(/\/$/, '');

    const cpView = controlPlaneResponseSchema.parse(await json(`${url}/api/v1/controlplane`));
    expect(cpView).toMatchObject({ configured: true, reachable: true, error: null, url: cpUrl });
    expect(cpView.status?.endpoints).toBe(1);
    expect(cpView.proxies.map((p) => `${p.namespace}/${p.pod}@${p.proxyVersion}`)).toEqual([
      'shop/web-7d9f8-abcde@0.1.0',
    ]);
    const target = await eventually(async () => {
      const t = targetsResponseSchema.parse(await json(`${url}/api/v1/targets`)).targets[0];
      return t?.health === 'up' ? t : undefined;
    });
    expect(target.url).toBe(`http://127.0.0.1:${adminPort}/metrics`);
    expect(target.labels).toMatchObject({ namespace: 'shop', pod: 'web-7d9f8-abcde' });
    expect(target.discovery).toBe('control-plane');
    expect(await bff.stop('SIGTERM')).toBe(0);
  });
});
