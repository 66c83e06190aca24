// Bundles the BFF into one ESM file (the image, Compose and npm start run it without tsx), and
// the scrape worker beside it as plain CommonJS (the telemetry worker pool loads
// dist/ingestWorker.cjs instead of bundling its TypeScript source at run time).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
await build({
  ...common,
  entryPoints: [`${root}src/main.ts`],
  outfile: `${root}dist/main.mjs`,
  format: 'esm',
  // Kubernetes discovery loads its client on first use; esbuild (the worker's fallback
  // bundler) is a native tool. Both stay in production node_modules.
  external: ['@kubernetes/client-node', 'esbuild'],
  // prom-client and pino are CommonJS and call require() at run time.
  banner: {
    js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
  },
});
await build({
  ...common,
  entryPoints: ['@meshlens/telemetry/ingestWorker'],
  outfile: `${root}dist/ingestWorker.cjs`,
  format: 'cjs',
});
