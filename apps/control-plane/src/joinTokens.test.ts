import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJoinTokenStore } from './joinTokens';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'join-tokens-'));
  dirs.push(d);
  return d;
};

describe('join token store', () => {
  it('accepts a token until its expiry, then names the expiry', async () => {
    let now = Date.UTC(2026, 10, 30, 6, 0, 0);
    const store = await openJoinTokenStore({ dataDir: tempDir(), now: () => now });
    const { token, info } = await store.create(
      { namespace: 'shop', serviceAccount: 'payments' },
      3600_000,
    );
    expect(store.verify(token)).toEqual({
      namespace: 'shop',
      serviceAccount: 'payments',
      tokenId: info.id,
      expiresAt: now + 3600_000,
    });
    now += 3600_000 - 1;
    expect(store.verify(token).serviceAccount).toBe('payments');
    now += 1;
    expect(() => store.verify(token)).toThrow(
      `join token ${info.id} expired at 2026-11-30T07:00:00.000Z`,
    );
  });

  it('refuses malformed tokens and a right id with a wrong secret alike', async () => {
    const store = await openJoinTokenStore({ dataDir: tempDir() });
    const { token } = await store.create({ namespace: 'shop', serviceAccount: 'a' }, 60_000);
    const [prefix, id] = token.split('.');
    for (const bad of ['mlj1.', 'mlj1.nodot', `${prefix}.${id}.`, `${prefix}.${id}.x`, `${token}x`])
      expect(() => store.verify(bad), bad).toThrow('join token is not valid');
  });

  it('writes atomically: the file is complete after every change and no temp file is left', async () => {
    const dir = tempDir();
    const store = await openJoinTokenStore({ dataDir: dir });
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.create({ namespace: 'shop', serviceAccount: `sa-${i}` }, 60_000),
      ),
    );
    await store.revoke(created[3]?.info.id ?? '');
    expect(readdirSync(dir)).toEqual(['join-tokens.json']);
    const reopened = await openJoinTokenStore({ dataDir: dir });
    expect(reopened.list()).toHaveLength(20);
    expect(() => reopened.verify(created[3]?.token ?? '')).toThrow(/was revoked at/);
    expect(reopened.verify(created[4]?.token ?? '').serviceAccount).toBe('sa-4');
  });

  it('refuses to start on an unreadable file rather than forget revocations', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'join-tokens.json'), '{"tokens": [{"id": 1}]');
    await expect(openJoinTokenStore({ dataDir: dir })).rejects.toThrow(
      `${path.join(dir, 'join-tokens.json')} is unreadable:`,
    );
  });
});
