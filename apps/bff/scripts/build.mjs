// Bundles the BFF into one ESM file (the image, Compose and npm start run it without tsx), and
// its workers beside it as plain CommonJS (the scrape ingester loads dist/ingestWorker.cjs, the
// OTLP decoder dist/otlpDecodeWorker.cjs, instead of bundling their TypeScript at run time).
import { fileURLToPath } from 'node:url';
import { bundleApp } from '../../../scripts/lib/bundleApp.mjs';

await bundleApp(fileURLToPath(new URL('..', import.meta.url)), {
  // Kubernetes discovery loads its client on first use; esbuild (the worker's fallback
  // bundler) is a native tool. Both stay in production node_modules.
  external: ['@kubernetes/client-node', 'esbuild'],
  workers: [
    { entry: '@meshlens/telemetry/ingestWorker', outfile: 'dist/ingestWorker.cjs' },
    { entry: 'src/traces/decodeWorker.ts', outfile: 'dist/otlpDecodeWorker.cjs' },
  ],
});
