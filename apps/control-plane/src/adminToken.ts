import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const ADMIN_TOKEN_FILE = 'admin.token';

export interface AdminCredential {
  /** Where the token lives, for the startup log line (never the token itself). */
  file: string;
  created: boolean;
  /** Constant-time check of a presented bearer token. */
  matches(presented: string): boolean;
}

/**
 * The admin credential guards the join-token endpoints. It is a separate secret from any
 * workload token: `--admin-token-file` names an existing file (a mounted Secret), otherwise
 * `<data-dir>/admin.token` is used and created on first start (mode 0600), like the CA key.
 */
export async function loadOrCreateAdminToken(opts: {
  dataDir: string;
  file: string | undefined;
}): Promise<AdminCredential> {
  const file = opts.file ?? path.join(opts.dataDir, ADMIN_TOKEN_FILE);
  let token: string;
  let created = false;
  try {
    token = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || opts.file !== undefined) {
      throw new Error(`cannot read the admin token file ${file}: ${(err as Error).message}`);
    }
    token = `mla1.${randomBytes(32).toString('base64url')}`;
    // 'wx': never overwrite a token another process created in the meantime.
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    created = true;
  }
  if (token.length < 16)
    throw new Error(`the admin token in ${file} must have at least 16 characters`);
  const digest = sha256(token);
  return {
    file,
    created,
    matches: (presented) => timingSafeEqual(sha256(presented), digest),
  };
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
