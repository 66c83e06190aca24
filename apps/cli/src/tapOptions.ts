import type { Command } from 'commander';
import { Option } from 'commander';
import type { QueryParams } from '@meshlens/api-client';
import { CliError, exitCodes } from './io';
import { authTokenOption, bffUrlOption } from './options';

export interface TapFlags {
  namespace?: string;
  path?: string;
  method?: string;
  authority?: string;
  direction?: string;
  to?: string;
  toNamespace?: string;
  from?: string;
  fromNamespace?: string;
  maxRps?: string;
  headers?: boolean;
  duration?: string;
  bffUrl: string;
  authToken?: string;
}

const KINDS: Record<string, 'workload' | 'service' | 'pod' | 'namespace'> = {
  deploy: 'workload',
  deployment: 'workload',
  workload: 'workload',
  wl: 'workload',
  svc: 'service',
  service: 'service',
  po: 'pod',
  pod: 'pod',
  ns: 'namespace',
  namespace: 'namespace',
};

/** `deploy/web`, `svc/web`, `po/web-0`, `ns/shop` or a bare name (a workload). */
export function parseResource(
  flag: string,
  value: string,
): { kind: 'workload' | 'service' | 'pod' | 'namespace'; name: string } {
  const slash = value.indexOf('/');
  if (slash === -1) return { kind: 'workload', name: value };
  const kind = KINDS[value.slice(0, slash).toLowerCase()];
  const name = value.slice(slash + 1);
  if (kind === undefined || name === '') {
    throw new CliError(
      `${flag} must look like deploy/NAME, svc/NAME, po/NAME or ns/NAME, got "${value}"`,
      exitCodes.usage,
    );
  }
  return { kind, name };
}

/** Seconds like `10`, `10s`, `2m`. */
export function parseDurationSeconds(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(value.trim());
  if (!m?.[1]) {
    throw new CliError(`--duration must look like 10s or 2m, got "${value}"`, exitCodes.usage);
  }
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

/** The BFF's /api/v1/tap query from the CLI's resource and flags. */
export function tapQuery(resource: string, flags: TapFlags): QueryParams {
  const r = parseResource('RESOURCE', resource);
  const q: QueryParams = { kind: r.kind, name: r.name };
  if (r.kind === 'namespace') q.namespace = r.name;
  else q.namespace = flags.namespace ?? 'default';
  if (flags.to !== undefined) {
    const to = parseResource('--to', flags.to);
    if (to.kind === 'namespace') q.toNamespace = to.name;
    else if (to.kind === 'workload') q.toWorkload = to.name;
    else throw new CliError('--to takes deploy/NAME or ns/NAME', exitCodes.usage);
  }
  if (flags.from !== undefined) {
    const from = parseResource('--from', flags.from);
    if (from.kind === 'namespace') q.fromNamespace = from.name;
    else if (from.kind === 'workload') q.fromWorkload = from.name;
    else throw new CliError('--from takes deploy/NAME or ns/NAME', exitCodes.usage);
  }
  if (flags.toNamespace !== undefined) q.toNamespace = flags.toNamespace;
  if (flags.fromNamespace !== undefined) q.fromNamespace = flags.fromNamespace;
  if (flags.path !== undefined) q.path = flags.path;
  if (flags.method !== undefined) q.method = flags.method;
  if (flags.authority !== undefined) q.authority = flags.authority;
  if (flags.direction !== undefined) q.direction = flags.direction;
  if (flags.maxRps !== undefined) q.maxRps = flags.maxRps;
  if (flags.headers === true) q.headers = true;
  return q;
}

/** The options tap and top share. */
export function addTapOptions(cmd: Command): Command {
  return cmd
    .argument('<resource>', 'deploy/NAME, svc/NAME, po/NAME or ns/NAME (a bare NAME is a workload)')
    .option('-n, --namespace <ns>', 'namespace of the resource', 'default')
    .option('--path <prefix>', 'only request paths starting with this')
    .option('--method <method>', 'only this HTTP method')
    .option('--authority <authority>', 'only this :authority (Host)')
    .addOption(
      new Option('--direction <direction>', 'only inbound or outbound requests').choices([
        'inbound',
        'outbound',
      ]),
    )
    .option('--to <resource>', 'only requests to deploy/NAME or ns/NAME')
    .option('--to-namespace <ns>', 'only requests to this namespace')
    .option('--from <resource>', 'only requests from deploy/NAME or ns/NAME')
    .option('--from-namespace <ns>', 'only requests from this namespace')
    .option(
      '--max-rps <n>',
      'at most this many requests per second (default: the dashboard cap, 100)',
    )
    .option('--duration <time>', 'stop after this long (e.g. 10s, 2m); default: until Ctrl-C')
    .addOption(bffUrlOption())
    .addOption(authTokenOption());
}

/** Aborts on Ctrl-C or after --duration; `done()` removes the handlers. */
export function stopSignal(duration: string | undefined): { signal: AbortSignal; done(): void } {
  const ctl = new AbortController();
  const onSigint = () => ctl.abort();
  process.once('SIGINT', onSigint);
  const timer =
    duration === undefined
      ? undefined
      : setTimeout(() => ctl.abort(), parseDurationSeconds(duration) * 1000);
  return {
    signal: ctl.signal,
    done: () => {
      clearTimeout(timer);
      process.off('SIGINT', onSigint);
    },
  };
}
