import { existsSync, readFileSync } from 'node:fs';
import { buildSync } from 'esbuild';

const cache = new Map<string, string>();

/**
 * A worker thread's code as one plain-JS (CommonJS) script for `new Worker(src, { eval: true })`:
 * the file a production bundle ships beside itself (`prebuilt`) when it exists, else the
 * TypeScript `source` bundled once per process with esbuild (milliseconds). Running a TypeScript
 * worker through tsx instead costs every worker a loader thread and ~90 MB of RSS.
 */
export function loadWorkerScript(prebuilt: string, source: string): string {
  const key = `${prebuilt}\0${source}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let code: string;
  if (existsSync(prebuilt)) {
    code = readFileSync(prebuilt, 'utf8');
  } else {
    const out = buildSync({
      entryPoints: [source],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    code = out.outputFiles[0]?.text ?? '';
  }
  cache.set(key, code);
  return code;
}
