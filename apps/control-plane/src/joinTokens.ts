import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { joinTokenInfoSchema, type JoinTokenInfo } from '@meshlens/cp-client';
import * as z from 'zod';
import { NotFoundError, UnauthorizedError } from './errors';

/**
 * Per-service-account join tokens (outside Kubernetes). A token reads `mlj1.<id>.<secret>`: the
 * id finds the record, the secret is checked against the stored SHA-256 in constant time. Only
 * the hash is kept (in memory and in `join-tokens.json`), so the data dir alone cannot be used
 * to join the mesh.
 */
export const JOIN_TOKEN_PREFIX = 'mlj1.';
const FILE = 'join-tokens.json';

const storedSchema = joinTokenInfoSchema.extend({
  secretSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
type Stored = z.infer<typeof storedSchema>;
const fileSchema = z.object({ tokens: z.array(storedSchema) });

export interface WorkloadIdentityClaim {
  namespace: string;
  serviceAccount: string;
}

export interface JoinTokenStore {
  create(
    claim: WorkloadIdentityClaim,
    ttlMs: number,
  ): Promise<{ token: string; info: JoinTokenInfo }>;
  list(): JoinTokenInfo[];
  revoke(id: string): Promise<JoinTokenInfo>;
  /** The identity a presented join token speaks for; throws UnauthorizedError naming why not. */
  verify(token: string): WorkloadIdentityClaim & { tokenId: string; expiresAt: number };
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

export async function openJoinTokenStore(opts: {
  dataDir: string;
  now?: () => number;
}): Promise<JoinTokenStore> {
  const now = opts.now ?? Date.now;
  const file = path.join(opts.dataDir, FILE);
  const tokens = new Map<string, Stored>();
  try {
    const saved = fileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    for (const t of saved.tokens) tokens.set(t.id, t);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      // Refusing to start beats silently forgetting revocations or every workload's token.
      throw new Error(`${file} is unreadable: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  // Writes are serialized; each one replaces the file atomically (temp file, fsync, rename).
  let writing: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    const text = `${JSON.stringify({ tokens: [...tokens.values()] }, null, 1)}\n`;
    const next = writing.then(async () => {
      const tmp = `${file}.${process.pid}.tmp`;
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    });
    writing = next.catch(() => undefined);
    return next;
  };

  const info = (t: Stored): JoinTokenInfo => {
    const { secretSha256: _hash, ...rest } = t;
    return rest;
  };

  return {
    async create(claim, ttlMs) {
      const id = randomBytes(6).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const at = now();
      const stored: Stored = {
        id,
        namespace: claim.namespace,
        serviceAccount: claim.serviceAccount,
        createdAt: new Date(at).toISOString(),
        expiresAt: new Date(at + ttlMs).toISOString(),
        secretSha256: sha256(secret).toString('hex'),
      };
      tokens.set(id, stored);
      try {
        await save();
      } catch (err) {
        tokens.delete(id); // nothing half-applied: a token that is not on disk is not handed out
        throw err;
      }
      return { token: `${JOIN_TOKEN_PREFIX}${id}.${secret}`, info: info(stored) };
    },
    list: () =>
      [...tokens.values()].map(info).sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
    async revoke(id) {
      const t = tokens.get(id);
      if (!t) throw new NotFoundError(`no join token with id ${id}`);
      if (t.revokedAt !== undefined) return info(t);
      const revoked = { ...t, revokedAt: new Date(now()).toISOString() };
      tokens.set(id, revoked);
      try {
        await save();
      } catch (err) {
        tokens.set(id, t);
        throw err;
      }
      return info(revoked);
    },
    verify(token) {
      const rest = token.slice(JOIN_TOKEN_PREFIX.length);
      const dot = rest.indexOf('.');
      const id = dot === -1 ? '' : rest.slice(0, dot);
      const secret = dot === -1 ? '' : rest.slice(dot + 1);
      const t = tokens.get(id);
      // Hash both sides so the comparison is constant-time and length-independent.
      const presented = sha256(secret);
      const expected = t ? Buffer.from(t.secretSha256, 'hex') : sha256(randomBytes(16).toString());
      const matches = timingSafeEqual(presented, expected);
      if (!t || !matches) throw new UnauthorizedError('join token is not valid');
      if (t.revokedAt !== undefined)
        throw new UnauthorizedError(`join token ${t.id} was revoked at ${t.revokedAt}`);
      if (Date.parse(t.expiresAt) <= now())
        throw new UnauthorizedError(`join token ${t.id} expired at ${t.expiresAt}`);
      return {
        namespace: t.namespace,
        serviceAccount: t.serviceAccount,
        tokenId: t.id,
        expiresAt: Date.parse(t.expiresAt),
      };
    },
  };
}
