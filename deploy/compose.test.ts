import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shopInstances } from '@meshlens/demo';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ports } from './compose/model';
import { composePath, composeYaml, prometheusPath, prometheusYaml } from './generate';
import { composeValidator } from './lib/composeSchema';
import { extraEnv, flagForEnv, flagsIn, flagsOf, repoRoot } from './lib/entryPoints';

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  network_mode?: string;
  depends_on?: string[] | Record<string, { condition: string }>;
  volumes?: string[];
  entrypoint?: string[];
}

const text = readFileSync(composePath, 'utf8');
const compose = parse(text) as { services: Record<string, ComposeService> };
const services = Object.entries(compose.services);
// Services that run an entry point of ours (the image's node entrypoint); join-tokens runs a script.
const meshlensServices = services.filter(
  ([, s]) => s.image?.startsWith('meshlens:') && s.entrypoint === undefined,
);
const dependencies = (s: ComposeService): string[] =>
  Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});

/** `--port 8080` -> '8080' */
function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}

describe('docker-compose.yml', () => {
  it('is what deploy/generate.ts produces from the demo topology', async () => {
    expect(text).toBe(await composeYaml());
    expect(readFileSync(prometheusPath, 'utf8')).toBe(await prometheusYaml());
  });

  it('is valid against the Compose specification JSON schema', () => {
    const validate = composeValidator();
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check has teeth: a misspelt key and a bad port are rejected', () => {
    const validate = composeValidator();
    const broken = structuredClone(compose);
    broken.services.prometheus = { ...broken.services.prometheus, ports: ['127.0.0.1:9090:nine'] };
    (broken.services.dashboard as Record<string, unknown>).enviroment = { A: '1' };
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/services/dashboard', '/services/prometheus/ports/0']),
    );
  });

  it('runs every demo instance with its own proxy in the same network namespace', () => {
    for (const i of shopInstances) {
      expect(compose.services[i.pod]?.command?.[0]).toBe('apps/demo/dist/main.mjs');
      const proxy = compose.services[`${i.pod}-proxy`];
      expect(proxy?.network_mode).toBe(`service:${i.pod}`);
      expect(proxy?.environment?.MESHLENS_PROXY_POD).toBe(i.pod);
      expect(proxy?.environment?.MESHLENS_PROXY_APP_PORT).toBe(
        flagValue(compose.services[i.pod]?.command ?? [], '--port'),
      );
    }
  });

  it.each(meshlensServices.map(([name, s]) => [name, s] as const))(
    '%s: command flags and environment are ones its entry point accepts',
    async (_name, s) => {
      // node's own options (the proxy's V8 flags) come before the entry point
      const command = s.command ?? [];
      const at = command.findIndex((c) => !c.startsWith('--'));
      const nodeOptions = command.slice(0, at);
      const [entry = '', ...args] = command.slice(at);
      expect(existsSync(join(repoRoot, entry))).toBe(true);
      // node refuses an option it does not know ("bad option") with a non-zero exit
      if (nodeOptions.length > 0) execFileSync(process.execPath, [...nodeOptions, '-e', '']);
      const known = await flagsOf(entry);
      expect(flagsIn(args).filter((f) => !known.has(f))).toEqual([]);
      const env = Object.keys(s.environment ?? {});
      const unknownEnv = env.filter((name) => {
        const flag = flagForEnv(entry, name);
        return !(extraEnv[entry] ?? []).includes(name) && (flag === undefined || !known.has(flag));
      });
      expect(unknownEnv).toEqual([]);
      for (const flag of ['--config', '--config-dir']) {
        const file = flagValue(args, flag);
        if (file !== undefined)
          expect(existsSync(join(repoRoot, file.replace(/^\/app\//, '')))).toBe(true);
      }
    },
  );

  it('gives every proxy, and the dashboard, a join token of its own service account, created before they start', () => {
    const script = compose.services['join-tokens']?.command?.[0] ?? '';
    const created = [...script.matchAll(/-n (\S+) --service-account (\S+) .*? > (\S+)\.tmp/g)].map(
      (m) => [m[3], `${m[1]}/${m[2]}`],
    );
    const byFile = new Map(created.map(([file, who]) => [file, who]));
    // every line runs the CLI the image ships, by its bin (which loads tsx itself)
    for (const line of script.split('\n'))
      expect(line).toContain(' node apps/cli/bin/meshlens.mjs token create -n ');
    expect(existsSync(join(repoRoot, 'apps/cli/bin/meshlens.mjs'))).toBe(true);
    for (const i of shopInstances) {
      const proxy = compose.services[`${i.pod}-proxy`];
      const file = proxy?.environment?.MESHLENS_PROXY_TOKEN_FILE ?? '';
      expect({ pod: i.pod, token: byFile.get(file) }).toEqual({
        pod: i.pod,
        token: `shop/${i.serviceAccount}`,
      });
      expect(proxy?.depends_on).toMatchObject({
        'join-tokens': { condition: 'service_completed_successfully' },
      });
    }
    const dashboard = compose.services.dashboard?.command ?? [];
    expect(byFile.get(flagValue(dashboard, '--control-plane-token-file') ?? '')).toBe(
      'meshlens/meshlens-dashboard',
    );
    // the admin token is read from the control plane's volume, never put in the environment
    expect(text).not.toMatch(/BOOTSTRAP|ADMIN_TOKEN/);
  });

  it('publishes only the dashboard and Prometheus, on loopback, on the ports they listen on', () => {
    const published = services.filter(([, s]) => s.ports).map(([name, s]) => [name, s.ports]);
    expect(published).toEqual([
      ['dashboard', [`127.0.0.1:${ports.dashboard}:${ports.dashboard}`]],
      ['prometheus', [`127.0.0.1:${ports.prometheus}:${ports.prometheus}`]],
    ]);
    expect(flagValue(compose.services.dashboard?.command ?? [], '--port')).toBe(
      String(ports.dashboard),
    );
  });

  it('every depends_on and network_mode names a service that exists', () => {
    for (const [, s] of services) {
      for (const dep of dependencies(s)) expect(Object.keys(compose.services)).toContain(dep);
      if (s.network_mode)
        expect(Object.keys(compose.services)).toContain(s.network_mode.replace(/^service:/, ''));
    }
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  const prom = parse(readFileSync(prometheusPath, 'utf8')) as {
    scrape_configs: {
      job_name: string;
      static_configs: { targets: string[]; labels?: Record<string, string> }[];
    }[];
  };

  it('scrapes every proxy admin port with namespace/deployment/pod target labels', () => {
    const job = prom.scrape_configs.find((j) => j.job_name === 'meshlens-proxy');
    const targets = job?.static_configs.map((c) => [
      c.targets[0],
      c.labels?.deployment,
      c.labels?.pod,
    ]);
    expect(targets).toEqual(
      shopInstances.map((i) => [`${i.pod}:${ports.admin}`, i.workload, i.pod]),
    );
    for (const i of shopInstances) {
      expect(compose.services[`${i.pod}-proxy`]?.environment?.MESHLENS_PROXY_ADMIN_PORT).toBe(
        String(ports.admin),
      );
    }
  });

  it('passes promtool check config', (ctx) => {
    const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
    if (promtool === undefined) {
      if (process.env.CI) throw new Error('promtool is missing (Debian package prometheus)');
      ctx.skip();
      return;
    }
    const out = execFileSync(promtool, ['check', 'config', prometheusPath], { encoding: 'utf8' });
    expect(out).toContain('SUCCESS');
  });
});
