import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTokenAdminClient } from '@meshlens/cp-client';
import { pino } from 'pino';
import type { CpFlags } from '../src/flags';
import { startControlPlane, type RunningControlPlane } from '../src/server';

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err instanceof Error ? err : new Error(String(err));
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function flags(over: Partial<CpFlags> & { dataDir: string }): CpFlags {
  return {
    address: '127.0.0.1',
    port: 0,
    configDir: undefined,
    caFiles: undefined,
    trustDomain: 'cluster.local',
    adminTokenFile: undefined,
    tokenReview: undefined,
    kubernetes: undefined,
    leaseTtlSeconds: 10,
    leaseStreamMaxSeconds: 300,
    certTtlMs: 24 * 3600_000,
    logLevel: 'silent',
    ...over,
  };
}

export function startInProcess(f: CpFlags): Promise<RunningControlPlane> {
  return startControlPlane(f, pino({ level: 'silent' }));
}

/** The admin token the control plane created in its data dir on first start. */
export function adminToken(running: { adminTokenFile: string }): string {
  return readFileSync(running.adminTokenFile, 'utf8').trim();
}

/** A join token for namespace/serviceAccount, created through the admin API. */
export async function joinToken(
  running: { url: string; adminTokenFile: string },
  namespace: string,
  serviceAccount: string,
  ttlSeconds = 3600,
): Promise<string> {
  const admin = createTokenAdminClient({ url: running.url, adminToken: adminToken(running) });
  return (await admin.create({ namespace, serviceAccount, ttlSeconds })).token;
}

/** ../shared/testdata beside the checkout (or MESHLENS_TESTDATA); undefined when absent outside CI. */
export function testdataDir(): string | undefined {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const dir = process.env.MESHLENS_TESTDATA ?? path.resolve(repoRoot, '../shared/testdata');
  if (existsSync(dir)) return dir;
  if (process.env.CI === 'true')
    throw new Error(`test data folder ${dir} is missing (required in CI)`);
  console.warn(`skipping: test data folder ${dir} not found`);
  return undefined;
}
