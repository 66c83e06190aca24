import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runtimeEnv } from '@meshlens/inject';
import { describe, expect, it } from 'vitest';
import { npmRunSteps, parseDockerfile } from './lib/dockerfile';
import { helpOf, repoRoot } from './lib/entryPoints';

const dockerfile = parseDockerfile(
  readFileSync(join(repoRoot, 'deploy/docker/Dockerfile'), 'utf8'),
);
const stages = dockerfile.filter((i) => i.op === 'FROM');
const runtime = dockerfile.slice(
  dockerfile.lastIndexOf(stages[stages.length - 1] ?? dockerfile[0]!),
);
const jsonArray = (op: string): string[] =>
  JSON.parse(runtime.find((i) => i.op === op)?.args ?? '[]') as string[];

/** Packages the production sources of the server apps and their packages import at run time. */
function runtimeImports(): Set<string> {
  const roots = [
    'apps/proxy',
    'apps/control-plane',
    'apps/bff',
    'apps/demo',
    'apps/cli',
    'apps/init',
    'apps/injector',
    'packages/inject',
    'packages/prom',
    'packages/contract',
    'packages/mesh-config',
    'packages/telemetry',
    'packages/cp-client',
  ];
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== '__fixtures__' && e.name !== 'node_modules') walk(p);
      } else if (/\.(ts|mjs)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) {
        for (const line of readFileSync(p, 'utf8').split('\n')) {
          if (/^\s*(import|export) type /.test(line)) continue;
          const m =
            /^\s*(?:import\b|export\b|\}).*\bfrom\s+'([^'.][^']*)'|^\s*import\s+'([^'.][^']*)'|\bimport\('([^'.][^']*)'\)/.exec(
              line,
            );
          const spec = m?.[1] ?? m?.[2] ?? m?.[3];
          if (
            !spec ||
            spec.startsWith('node:') ||
            builtinModules.includes(spec) ||
            spec.startsWith('@meshlens/')
          )
            continue;
          const parts = spec.split('/');
          found.add(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? spec));
        }
      }
    }
  };
  for (const r of roots) if (existsSync(join(repoRoot, r, 'src'))) walk(join(repoRoot, r, 'src'));
  for (const r of ['apps/cli/bin']) if (existsSync(join(repoRoot, r))) walk(join(repoRoot, r));
  return found;
}

describe('deploy/docker/Dockerfile', () => {
  it('is multi-stage and runs as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const user = runtime.filter((i) => i.op === 'USER').at(-1)?.args ?? 'root';
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
  });

  it('every `npm run` step names a script its workspace has', () => {
    const steps = dockerfile.filter((i) => i.op === 'RUN').flatMap((i) => npmRunSteps(i.args));
    // the SPA, then every app the image runs from its bundle
    expect(steps.map((s) => s.workspace)).toEqual([
      '@meshlens/web',
      '@meshlens/proxy',
      '@meshlens/init',
      '@meshlens/injector',
      '@meshlens/control-plane',
      '@meshlens/bff',
      '@meshlens/demo',
    ]);
    for (const s of steps) {
      const dir = `apps/${(s.workspace ?? '').replace('@meshlens/', '')}`;
      const pkg = JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as {
        name: string;
        scripts: Record<string, string>;
      };
      expect(pkg.name).toBe(s.workspace);
      expect(Object.keys(pkg.scripts)).toContain(s.script);
    }
  });

  it('copies only paths that exist in the build stage', () => {
    for (const copy of runtime.filter((i) => i.op === 'COPY')) {
      const words = copy.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      for (const src of words.slice(0, -1))
        expect(existsSync(join(repoRoot, src.replace(/^\/src\/?/, '')))).toBe(true);
    }
    const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8');
    expect(ignore).toContain('**/node_modules');
  });

  it("sets meshlens's runtime environment (runtimeEnv of @meshlens/inject) in the runtime stage", () => {
    const env = new Map(
      runtime
        .filter((i) => i.op === 'ENV')
        .flatMap((i) => i.args.split(/\s+/))
        .map((kv) => kv.split('=') as [string, string]),
    );
    expect(Object.keys(runtimeEnv).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(runtimeEnv)) expect(env.get(k), k).toBe(v);
  });

  it('installs iptables for meshlens-init in the runtime stage', () => {
    const runs = runtime.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /apt-get install .*\biptables\b/.test(r))).toBe(true);
  });

  it('`npm prune --omit=dev` keeps every package the production sources import (and tsx)', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(
      'npm',
      ['prune', '--omit=dev', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'],
      {
        cwd: repoRoot,
        timeout: 100_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    // name@version: a dev tool may bring its own nested copy of a runtime package (e.g. commander)
    const removed = new Set(
      stdout.split('\n').flatMap((l) => {
        const m = /^remove (\S+) (\S+)$/.exec(l.trim());
        return m ? [`${m[1]}@${m[2]}`] : [];
      }),
    );
    const hoisted = (name: string): string => {
      const pkg = JSON.parse(
        readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8'),
      ) as { version: string };
      return `${name}@${pkg.version}`;
    };
    const needed = [...runtimeImports(), 'tsx', 'esbuild'].map(hoisted);
    expect(needed).toContain(hoisted('pino'));
    expect(needed.filter((p) => removed.has(p))).toEqual([]);
  });

  it('the default command (ENTRYPOINT + CMD) starts the dashboard entry point', async () => {
    expect(jsonArray('ENTRYPOINT')).toEqual(['node']);
    const [entry = ''] = jsonArray('CMD');
    expect(entry).toBe('apps/bff/dist/main.mjs');
    expect(await helpOf(entry)).toContain('--port');
  });
});
