// One way to bundle a Node app of this repository into a single ESM file, so the image, Compose,
// the injected sidecar and `npm start` run `dist/main.mjs` without tsx (lower RSS and startup).
// Each app's scripts/build.mjs calls this with what is particular to it (externals, extra files).
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * ESM output that still offers `require`: prom-client and pino are CommonJS and call require()
 * at run time, which an ESM bundle otherwise lacks.
 */
const REQUIRE_SHIM =
  "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

/** `node:x` and the bare names of Node's built-ins (some dependencies import `url`, `vm`). */
const BUILTIN = new RegExp(
  `^(node:.+|${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`,
);

/**
 * Node's built-in modules through `require`, not `import`. Importing a built-in from ESM builds
 * its module namespace from every export, which runs the exports' lazy getters: `node:tls`'s
 * `rootCertificates` then parses the ~140 bundled root certificates into JavaScript strings
 * (~0.1 MB of heap in every process, for certificates a mesh never uses). Through `require`, and
 * esbuild's interop that reads a property when it is used, nothing runs that is not used.
 * @type {import('esbuild').Plugin}
 */
const builtinsViaRequire = {
  name: 'builtins-via-require',
  setup(b) {
    b.onResolve({ filter: BUILTIN }, (args) =>
      args.kind === 'import-statement' || args.kind === 'dynamic-import'
        ? { path: args.path, namespace: 'builtin-require' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * @param {string} root the app's folder (ends with a separator or not)
 * @param {{
 *   external?: string[],
 *   shebang?: boolean,
 *   copy?: Array<[from: string, to: string]>,
 *   workers?: Array<{ entry: string, outfile: string }>,
 *   minifyWhitespace?: boolean,
 *   splitting?: boolean,
 *   outdir?: string,
 *   metafile?: string,
 * }} [options] `external`: packages left to node_modules (native addons, lazily loaded clients);
 *   `shebang`: the file is run as a command; `copy`: files read at run time beside the bundle,
 *   as [source relative to root, destination relative to root]; `workers`: worker-thread entry
 *   points (package specifiers or paths in the app) bundled as plain CommonJS beside the bundle;
 *   `minifyWhitespace`: drop comments and indentation (identifiers stay, so stack traces still
 *   name functions), for processes that run many times over (the proxy);
 *   `splitting`: modules reached only through `import()` go to `dist/chunks/` and are read when
 *   first imported, not at start (what an idle sidecar never uses costs it no memory);
 *   `outdir`: where the bundle goes (default `<root>/dist`); `metafile`: writes esbuild's
 *   metafile there (which sources each output holds: tests check what loads at start).
 */
export async function bundleApp(root, options = {}) {
  const banner = [options.shebang ? '#!/usr/bin/env node' : '', REQUIRE_SHIM].filter(Boolean);
  const outdir = options.outdir ?? path.join(root, 'dist');
  rmSync(path.join(outdir, 'chunks'), { recursive: true, force: true });
  const result = await build({
    entryPoints: { main: path.join(root, 'src/main.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: options.splitting ?? false,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    external: options.external ?? [],
    minifyWhitespace: options.minifyWhitespace ?? false,
    banner: { js: banner.join('\n') },
    metafile: options.metafile !== undefined,
    plugins: [builtinsViaRequire],
  });
  if (options.metafile !== undefined)
    writeFileSync(options.metafile, JSON.stringify(result.metafile));
  for (const w of options.workers ?? []) {
    await build({
      // a package specifier (`@meshlens/x/worker`) or a path inside the app
      entryPoints: [w.entry.startsWith('@') ? w.entry : path.join(root, w.entry)],
      outfile: path.join(root, w.outfile),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'warning',
    });
  }
  for (const [from, to] of options.copy ?? []) {
    mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
    copyFileSync(path.join(root, from), path.join(root, to));
  }
}
