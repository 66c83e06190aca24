import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { CpFlags } from '../src/flags';
import { startControlPlane, type RunningControlPlane } from '../src/server';

export const TOKEN = 'test-bootstrap-token';

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
    bootstrapToken: TOKEN,
    leaseTtlSeconds: 10,
    certTtlMs: 24 * 3600_000,
    logLevel: 'silent',
    ...over,
  };
}

export function startInProcess(f: CpFlags): Promise<RunningControlPlane> {
  return startControlPlane(f, pino({ level: 'silent' }));
}
