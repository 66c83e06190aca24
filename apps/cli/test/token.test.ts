import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/program';
import type { CliIo } from '../src/io';
import { startServer } from './servers';
import type { Server } from './servers';

/** `meshlens token` against a real control plane (its admin token from its data dir). */
let cp: Server;
let dataDir = '';
let adminFile = '';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'meshlens-cli-token-'));
  cp = await startServer('apps/control-plane/src/main.ts', [
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--log-level',
    'warn',
  ]);
  adminFile = join(dataDir, 'admin.token');
});

afterAll(async () => {
  await cp?.stop();
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
  const code = await runCli(['node', 'meshlens', 'token', ...args], io);
  return { code, out, err };
}

const admin = () => ['--control-plane-url', cp.url, '--admin-token-file', adminFile];

async function certificateStatus(token: string): Promise<number> {
  const res = await fetch(`${cp.url}/api/v1/watch/config`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  });
  await res.body?.cancel();
  return res.status;
}

describe('meshlens token', () => {
  it('creates a token printed once, lists it without the secret, and revokes it', async () => {
    const created = await cli(
      'create',
      '-n',
      'shop',
      '--service-account',
      'payments',
      '--ttl',
      '7d',
      ...admin(),
    );
    expect(created.code).toBe(0);
    const token = created.out.trim();
    expect(token).toMatch(/^mlj1\.[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/);
    const id = token.split('.')[1] ?? '';
    expect(created.err).toMatch(
      new RegExp(
        `^join token ${id} for shop/payments, expires \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\. It is shown only this once\\.\\n$`,
      ),
    );
    expect(await certificateStatus(token)).toBe(200);

    const listed = await cli('list', ...admin());
    expect(listed.code).toBe(0);
    const lines = listed.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAMESPACE\s+SERVICE_ACCOUNT\s+STATE\s+EXPIRES$/);
    expect(lines[1]).toMatch(new RegExp(`^${id}\\s+shop\\s+payments\\s+valid\\s+\\d{4}-`));
    expect(listed.out).not.toContain(token.split('.')[2]);

    const revoked = await cli('revoke', id, ...admin());
    expect(revoked.code).toBe(0);
    expect(revoked.out).toMatch(new RegExp(`^revoked join token ${id} \\(shop/payments\\) at `));
    expect(await certificateStatus(token)).toBe(401);
    const json = await cli('list', '-o', 'json', ...admin());
    const parsed = JSON.parse(json.out) as { tokens: Array<{ id: string; revokedAt?: string }> };
    expect(parsed.tokens.find((t) => t.id === id)?.revokedAt).toMatch(/^\d{4}-/);
  });

  it('names what is wrong: a bad ttl, a missing admin token file, a refused request, an unreachable control plane', async () => {
    const badTtl = await cli(
      'create',
      '-n',
      'shop',
      '--service-account',
      'a',
      '--ttl',
      '1 day',
      ...admin(),
    );
    expect(badTtl).toMatchObject({ code: 2 });
    expect(badTtl.err).toBe(
      'meshlens: --ttl must be a number with a unit s, m, h or d (e.g. 24h, 7d), got "1 day"\n',
    );
    const noFile = await cli(
      'list',
      '--control-plane-url',
      cp.url,
      '--admin-token-file',
      join(dataDir, 'nope'),
    );
    expect(noFile.code).toBe(2);
    expect(noFile.err).toContain(
      `cannot read the admin token file ${join(dataDir, 'nope')} (ENOENT)`,
    );
    const tooShort = await cli(
      'create',
      '-n',
      'shop',
      '--service-account',
      'a',
      '--ttl',
      '10s',
      ...admin(),
    );
    expect(tooShort).toEqual({
      code: 1,
      out: '',
      err: 'meshlens: control plane refused (HTTP 400): invalid token request: ttlSeconds: ttlSeconds must be at least 60\n',
    });
    const unknown = await cli('revoke', '000000000000', ...admin());
    expect(unknown.err).toBe(
      'meshlens: control plane refused (HTTP 404): no join token with id 000000000000\n',
    );
    const down = await cli(
      'list',
      '--control-plane-url',
      'http://127.0.0.1:1',
      '--admin-token-file',
      adminFile,
    );
    expect(down.code).toBe(3);
    expect(down.err).toMatch(/^meshlens: control plane at http:\/\/127\.0\.0\.1:1 is unreachable/);
    // The admin token file is the control plane's own, readable by its owner only.
    expect(readFileSync(adminFile, 'utf8')).toMatch(/^mla1\./);
  });

  it('has --help with examples', async () => {
    const help = await cli('create', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain(
      'meshlens token create -n shop --service-account payments --ttl 7d > payments.token',
    );
    expect(help.out).toContain('--admin-token-file <file>');
  });
});
