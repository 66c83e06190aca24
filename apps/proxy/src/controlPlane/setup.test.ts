import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFlags, type ProxyFlags } from '../flags';
import { createMetrics } from '../metrics';
import { setupMesh } from './setup';

const dir = mkdtempSync(path.join(tmpdir(), 'proxy-setup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const silent = { info: () => {}, warn: () => {}, error: () => {} };

function flags(extra: string[]): ProxyFlags {
  const r = parseFlags(['--control-plane-url', 'http://127.0.0.1:1', ...extra], {});
  if (r.kind !== 'ok') throw new Error(`flags: ${r.kind}`);
  return r.flags;
}

describe('setupMesh credentials', () => {
  it('refuses to start against a control plane without a readable, non-empty token file', async () => {
    await expect(setupMesh(flags([]), silent, createMetrics())).rejects.toThrow(
      /^--control-plane-url needs --token-file: the control plane answers only workloads that prove their service account/,
    );
    const missing = path.join(dir, 'missing.token');
    await expect(
      setupMesh(flags(['--token-file', missing]), silent, createMetrics()),
    ).rejects.toThrow(`--token-file ${missing}: ENOENT`);
    const empty = path.join(dir, 'empty.token');
    writeFileSync(empty, '\n');
    await expect(
      setupMesh(flags(['--token-file', empty]), silent, createMetrics()),
    ).rejects.toThrow(`--token-file ${empty} is empty`);
  });
});
