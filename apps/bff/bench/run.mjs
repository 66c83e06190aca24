// `npm run bench`: runs bff.bench.ts the way the BFF ships (one esbuild bundle run by plain node,
// the ingest worker prebuilt beside it: scripts/build.mjs), not under tsx, whose loader thread is
// an extra isolate the image, Compose and `npm start` do not have: memory figures would be off.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
// inside the package (dist/ is ignored) so the bundle's externals resolve from node_modules
mkdirSync(path.join(here, '..', 'dist'), { recursive: true });
const out = mkdtempSync(path.join(here, '..', 'dist', 'bench-'));
try {
  const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
  await build({
    ...common,
    entryPoints: [path.join(here, 'bff.bench.ts')],
    outfile: path.join(out, 'bff.bench.mjs'),
    format: 'esm',
    external: ['@kubernetes/client-node', 'esbuild'],
    banner: {
      js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
    },
  });
  await build({
    ...common,
    entryPoints: ['@meshlens/telemetry/ingestWorker'],
    outfile: path.join(out, 'ingestWorker.cjs'),
    format: 'cjs',
  });
  const run = spawnSync(process.execPath, [path.join(out, 'bff.bench.mjs')], {
    stdio: 'inherit',
    // as the image, `npm start` and `meshlens dashboard` run the BFF (runtimeEnv of
    // @meshlens/inject: two malloc arenas, docs/adr/0027); MALLOC_ARENA_MAX=0 measures glibc's default
    env: { MALLOC_ARENA_MAX: '2', ...process.env, BENCH_DIR: here },
  });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
