import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIST = path.join(REPO_ROOT, 'apps/web/dist');
export const SCREENSHOTS = path.join(REPO_ROOT, 'artifacts/screenshots');

/** `npm test` builds the SPA first; a lone test run builds it when missing. */
export function ensureWebBuilt(): string {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    const r = spawnSync('npx', ['vite', 'build'], {
      cwd: path.join(REPO_ROOT, 'apps/web'),
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error(`vite build failed (exit ${String(r.status)})`);
  }
  return WEB_DIST;
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, `${name}.png`);
}
