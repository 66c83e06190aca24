// Bundles the BFF into one ESM file (the image, Compose and npm start run it without tsx), and
// the scrape worker beside it as plain CommonJS (the telemetry worker pool loads
// dist/ingestWorker.cjs instead of bundling its TypeScript source at run time).
import { fileURLToPath } from 'node:url';
import { bundleApp } from '../../../scripts/lib/bundleApp.mjs';

await bundleApp(fileURLToPath(new URL('..', import.meta.url)), {
  // Kubernetes discovery loads its client on first use; esbuild (the worker's fallback
  // bundler) is a native tool. Both stay in production node_modules.
  external: ['@kubernetes/client-node', 'esbuild'],
  workers: [{ entry: '@meshlens/telemetry/ingestWorker', outfile: 'dist/ingestWorker.cjs' }],
});
