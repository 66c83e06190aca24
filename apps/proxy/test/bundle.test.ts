import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What the sidecar loads at start is its idle memory (issue 11: 50 MB or less). The bundle
// splits off what a proxy may never use; this pins that split on the real build, so an import
// that pulls one of them back into the start-up graph fails here rather than in a benchmark.

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

interface Metafile {
  outputs: Record<
    string,
    { imports: { path: string; kind: string }[]; inputs: Record<string, unknown> }
  >;
}

let dir: string;
let meta: Metafile;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'meshlens-bundle-'));
  await run(process.execPath, [
    path.join(root, 'scripts/build.mjs'),
    '--outdir',
    dir,
    '--metafile',
    path.join(dir, 'meta.json'),
  ]);
  meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Metafile;
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Source files in main.mjs and every chunk it imports statically: what runs at start. */
function startupInputs(): string[] {
  const main = Object.keys(meta.outputs).find((o) => o.endsWith('/main.mjs'));
  if (main === undefined) throw new Error('the build has no main.mjs');
  const seen = new Set([main]);
  const queue = [main];
  for (let o = queue.shift(); o !== undefined; o = queue.shift()) {
    for (const i of meta.outputs[o]?.imports ?? []) {
      if (i.kind === 'import-statement' && i.path in meta.outputs && !seen.has(i.path)) {
        seen.add(i.path);
        queue.push(i.path);
      }
    }
  }
  return [...seen].flatMap((o) => Object.keys(meta.outputs[o]?.inputs ?? {}));
}

const allInputs = () => Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));

/** Loaded on first use only: the module that needs them, and what it weighs. */
const LAZY: [pattern: RegExp, why: string][] = [
  [/node_modules\/undici\//, 'the HTTP/1.1 upstream client: the first plaintext request'],
  [/node_modules\/yaml\//, 'the YAML parser: a YAML discovery file or --config-file'],
  [/packages\/cp-client\/src\/schemas\.ts$/, 'the control-plane messages: --control-plane-url'],
  [/packages\/mesh-config\/src\/inputSchema\.ts$/, 'the mesh config input schema: --config-file'],
  [/packages\/mesh-config\/src\/types\.ts$/, 'the compiled mesh config schema: a mesh config'],
  [/packages\/contract\/src\/tap\.ts$/, 'the tap filter schemas: the first tap'],
];

describe('the proxy bundle', () => {
  it.each(LAZY)('keeps %s out of start-up (%s)', (pattern) => {
    expect(allInputs().some((f) => pattern.test(f))).toBe(true);
    expect(startupInputs().filter((f) => pattern.test(f))).toEqual([]);
  });

  it('holds our metrics registry and logger, and none of prom-client, tdigest, bintrees, @opentelemetry, pino (ADR 0022, 0023)', () => {
    const inputs = allInputs();
    expect(inputs.some((p) => /(^|\/)src\/metricsRegistry\.ts$/.test(p))).toBe(true);
    expect(inputs.some((p) => /(^|\/)src\/log\.ts$/.test(p))).toBe(true);
    const banned = inputs.filter((p) =>
      /node_modules\/(prom-client|tdigest|bintrees|@opentelemetry|pino|sonic-boom|thread-stream)\//.test(
        p,
      ),
    );
    expect(banned).toEqual([]);
  });

  it('holds zod without its locales but English (namespace imports let esbuild drop them)', () => {
    const locales = allInputs().filter((f) => /zod\/v4\/locales\/(?!en\.js|index)/.test(f));
    expect(locales).toEqual([]);
  });

  it('loads Node built-ins with require, so no ESM namespace runs tls.rootCertificates', () => {
    const outputs = Object.keys(meta.outputs).filter((o) => o.endsWith('.mjs'));
    expect(outputs.length).toBeGreaterThan(3);
    // node:module is the banner's: it makes `require` (createRequire), and has no getters
    const esmBuiltins = outputs.flatMap((o) =>
      [...readFileSync(o, 'utf8').matchAll(/(?:from|import)\s*["'](node:[\w/]+)["']/g)]
        .map((m) => m[1] ?? '')
        .filter((name) => name !== 'node:module')
        .map((name) => `${path.basename(o)}: ${name}`),
    );
    expect(esmBuiltins).toEqual([]);
    const main = readFileSync(path.join(dir, 'main.mjs'), 'utf8');
    expect(main).toContain('require("node:util")');
  });

  it('runs from its own folder (chunks beside main.mjs)', async () => {
    const { stdout } = await run(process.execPath, [path.join(dir, 'main.mjs'), '--help']);
    expect(stdout).toMatch(/^meshlens proxy - sidecar proxy/);
    expect(stdout).toContain('Usage: node apps/proxy/dist/main.mjs [flags]');
  });
});
