import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Where each app's environment variables map to its flags. */
export const envPrefixes: Record<string, string> = {
  'apps/proxy/dist/main.mjs': 'MESHLENS_PROXY_',
  'apps/control-plane/dist/main.mjs': 'MESHLENS_CP_',
  'apps/demo/dist/main.mjs': 'MESHLENS_DEMO_',
  'apps/bff/dist/main.mjs': 'MESHLENS_',
  'apps/injector/dist/main.mjs': 'MESHLENS_INJECTOR_',
};

/** Env vars an app reads that are not `<prefix><FLAG>` (documented in its --help). */
export const extraEnv: Record<string, string[]> = {
  'apps/control-plane/dist/main.mjs': ['POD_NAME', 'POD_NAMESPACE'],
  'apps/demo/dist/main.mjs': ['MESHLENS_OUTBOUND_URL'],
  'apps/bff/dist/main.mjs': ['MESHLENS_AUTH_TOKEN'],
};

const run = promisify(execFile);
const helpCache = new Map<string, Promise<string>>();

/**
 * The bundle's source: the image runs `apps/<app>/dist/main.mjs`, built from
 * `apps/<app>/src/main.ts` (the tests ask the source, so they need no build first).
 */
export function sourceOf(entry: string): string {
  const m = /^apps\/([a-z-]+)\/dist\/main\.mjs$/.exec(entry);
  if (m === null)
    throw new Error(`${entry} is not a bundled entry point (apps/<app>/dist/main.mjs)`);
  return `apps/${m[1]}/src/main.ts`;
}

/** The entry point's own `--help` text: what the image would run, asked the way a user would. */
export function helpOf(entry: string): Promise<string> {
  let text = helpCache.get(entry);
  if (text === undefined) {
    const file = join(repoRoot, sourceOf(entry));
    if (!existsSync(file)) return Promise.reject(new Error(`entry point ${entry} does not exist`));
    text = run(process.execPath, ['--import', 'tsx', file, '--help'], {
      cwd: repoRoot,
      timeout: 60_000,
    }).then((r) => r.stdout + r.stderr);
    helpCache.set(entry, text);
  }
  return text;
}

/** Flags (`--name`) an entry point's help text documents. */
export async function flagsOf(entry: string): Promise<Set<string>> {
  const help = await helpOf(entry);
  return new Set(help.match(/--[a-z][a-z0-9-]*/g) ?? []);
}

/** The flags used in an argument list (`--x v` and `--x=v` forms). */
export function flagsIn(args: readonly string[]): string[] {
  return args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0] ?? a);
}

/** `MESHLENS_PROXY_APP_PORT` -> `--app-port` for the proxy. */
export function flagForEnv(entry: string, name: string): string | undefined {
  const prefix = envPrefixes[entry];
  if (prefix === undefined || !name.startsWith(prefix)) return undefined;
  return `--${name.slice(prefix.length).toLowerCase().replaceAll('_', '-')}`;
}
