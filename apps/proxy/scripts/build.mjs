// Bundles the proxy into one ESM file: lower RSS and startup than running under tsx.
import { fileURLToPath } from 'node:url';
import { bundleApp } from '../../../scripts/lib/bundleApp.mjs';

await bundleApp(fileURLToPath(new URL('..', import.meta.url)), {
  // V8 keeps the bundle's source text on the heap (lazy functions are compiled from it). Without
  // comments and indentation it is 1.6 MB instead of 2.3, and pure ASCII: two comments with
  // non-Latin-1 characters made V8 hold the whole text as UTF-16 (4.4 MB).
  minifyWhitespace: true,
  // koffi loads its prebuilt native binary from its own package folder (production node_modules).
  external: ['koffi'],
});
