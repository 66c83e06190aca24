import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenAdminClient } from '@meshlens/cp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/program';
import type { CliIo } from '../src/io';
import { startServer } from './servers';
import type { Server } from './servers';

/** The CLI against a real BFF (fixture source, frozen clock) and a real control plane. */
let cp: Server;
let bff: Server;
let dataDir = '';
const frozenNow = 1_764_000_000_000;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'meshlens-cli-cp-'));
  cp = await startServer('apps/control-plane/src/main.ts', [
    '--address',
    '127.0.0.1',
    '--port',
    '0',
    '--data-dir',
    dataDir,
  ]);
  // The dashboard reads the registry with its own identity.
  const admin = createTokenAdminClient({
    url: cp.url,
    adminToken: readFileSync(join(dataDir, 'admin.token'), 'utf8').trim(),
  });
  const created = await admin.create({
    namespace: 'meshlens',
    serviceAccount: 'meshlens-dashboard',
    ttlSeconds: 3600,
  });
  const tokenFile = join(dataDir, 'dashboard.token');
  writeFileSync(tokenFile, created.token, { mode: 0o600 });
  bff = await startServer('apps/bff/src/main.ts', [
    '--address',
    '127.0.0.1',
    '--port',
    '0',
    '--source',
    'fixture',
    '--fixture-now',
    String(frozenNow),
    '--control-plane-url',
    cp.url,
    '--control-plane-token-file',
    tokenFile,
  ]);
});

afterAll(async () => {
  await Promise.all([bff?.stop(), cp?.stop()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    readStdin: () => Promise.resolve(''),
    env: {},
    color: false,
  };
  const code = await runCli(['node', 'meshlens', ...args, '--bff-url', bff.url], io);
  return { code, out, err };
}

async function api(path: string): Promise<unknown> {
  const res = await fetch(new URL(path, bff.url));
  expect(res.status).toBe(200);
  return res.json();
}

describe('meshlens stat / edges against the BFF API', () => {
  it('stat -o json is exactly what /api/v1/stat returns', async () => {
    const r = await cli('stat', '-o', 'json', '-t', '5m');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(await api('/api/v1/stat?kind=workload&window=5m'));
  });

  it('stat ns -n NAME -o json passes kind and namespace through', async () => {
    const all = (await api('/api/v1/stat?kind=namespace&window=1m')) as {
      rows: { name: string }[];
    };
    const ns = all.rows[0]?.name ?? '';
    const r = await cli('stat', 'ns', '-n', ns, '-o', 'json');
    expect(JSON.parse(r.out)).toEqual(
      await api(`/api/v1/stat?kind=namespace&namespace=${encodeURIComponent(ns)}&window=1m`),
    );
  });

  it('stat prints one table row per resource, with linkerd-style columns', async () => {
    const res = (await api('/api/v1/stat?kind=workload&window=1m')) as {
      rows: { namespace: string; name: string }[];
    };
    const r = await cli('stat');
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]?.split(/\s+/)).toEqual([
      'NAMESPACE',
      'NAME',
      'MESHED',
      'SUCCESS',
      'RPS',
      'LATENCY_P50',
      'LATENCY_P95',
      'LATENCY_P99',
      'TCP_CONN',
    ]);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual(
      res.rows.map((row) => [row.namespace, row.name]),
    );
  });

  it('edges -o json is exactly what /api/v1/edges returns', async () => {
    const r = await cli('edges', '-o', 'json');
    expect(JSON.parse(r.out)).toEqual(await api('/api/v1/edges?kind=workload&window=1m'));
  });

  it('routes prints the routes of a service; -o json is exactly what /api/v1/routes returns', async () => {
    const json = await cli('routes', 'web', '-n', 'shop', '-o', 'json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(
      await api('/api/v1/routes?namespace=shop&window=1m&name=web'),
    );
    const table = await cli('routes', 'web', '-n', 'shop');
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]?.split(/\s+/)).toEqual([
      'ROUTE',
      'RULE',
      'SUCCESS',
      'RPS',
      'LATENCY_P50',
      'LATENCY_P99',
    ]);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([['default', '-']]);
    const missing = await cli('routes', 'web');
    expect(missing.code).not.toBe(0);
    expect(missing.err).toContain("required option '-n, --namespace <ns>' not specified");
  });

  it('a bad window is a usage error (exit 2)', async () => {
    const r = await cli('stat', '-t', '2m');
    expect(r.code).toBe(2);
    expect(r.err).toContain("error: option '-t, --time-window <window>' argument '2m' is invalid");
  });
});

describe('meshlens check', () => {
  it('passes the control plane checks while it runs, and fails (exit 1) once it is stopped', async () => {
    const before = await cli('check', '-o', 'json');
    const checks = (JSON.parse(before.out) as { checks: { name: string; status: string }[] })
      .checks;
    expect(checks.find((c) => c.name === 'control plane is reachable')?.status).toBe('ok');
    expect(checks.find((c) => c.name === 'configuration is valid')?.status).toBe('ok');

    await cp.stop();
    const after = await cli('check', '-o', 'json');
    expect(after.code).toBe(1);
    const failed = JSON.parse(after.out) as {
      success: boolean;
      checks: { name: string; status: string }[];
    };
    expect(failed.success).toBe(false);
    expect(failed.checks.find((c) => c.name === 'control plane is reachable')?.status).toBe(
      'error',
    );

    const table = await cli('check');
    expect(table.code).toBe(1);
    expect(table.out).toMatch(/^× control plane is reachable: /m);
    expect(table.out.trimEnd().split('\n').at(-1)).toBe('Status check results are ×');
  });

  it('says the dashboard is unreachable with exit 1 and a hint', async () => {
    let out = '';
    const io: CliIo = {
      stdout: (t) => (out += t),
      stderr: () => undefined,
      readStdin: () => Promise.resolve(''),
      env: {},
      color: false,
    };
    const code = await runCli(['node', 'meshlens', 'check', '--bff-url', 'http://127.0.0.1:1'], io);
    expect(code).toBe(1);
    expect(out).toMatch(
      /^× dashboard is reachable: cannot reach the meshlens dashboard at http:\/\/127\.0\.0\.1:1: /m,
    );
  });
});
