// Bundles the proxy into dist/main.mjs (and dist/chunks/ for what loads on first use): lower RSS
// and startup than running under tsx.
// `--outdir DIR --metafile FILE` build elsewhere and describe the outputs (test/bundle.test.ts).
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { bundleApp } from '../../../scripts/lib/bundleApp.mjs';

const { values } = parseArgs({
  options: { outdir: { type: 'string' }, metafile: { type: 'string' } },
});
await bundleApp(fileURLToPath(new URL('..', import.meta.url)), {
  ...(values.outdir === undefined ? {} : { outdir: values.outdir }),
  ...(values.metafile === undefined ? {} : { metafile: values.metafile }),
  // V8 keeps the bundle's source text on the heap (lazy functions are compiled from it). Without
  // comments and indentation it is 1.6 MB instead of 2.3, and pure ASCII: two comments with
  // non-Latin-1 characters made V8 hold the whole text as UTF-16 (4.4 MB).
  minifyWhitespace: true,
  // undici, the YAML parser, the control-plane client and the tap's schemas load on first use.
  splitting: true,
  // koffi loads its prebuilt native binary from its own package folder (production node_modules).
  external: ['koffi'],
});
