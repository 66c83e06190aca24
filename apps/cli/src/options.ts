import { Option } from 'commander';
import { WINDOWS } from '@meshlens/contract';
import { CliError, exitCodes } from './io';

export const defaultBffUrl = 'http://127.0.0.1:50750';

export const bffUrlOption = (): Option =>
  new Option('--bff-url <url>', 'meshlens dashboard (BFF) to ask')
    .env('MESHLENS_BFF_URL')
    .default(defaultBffUrl);

export const authTokenOption = (): Option =>
  new Option('--auth-token <token>', 'bearer token when the dashboard requires one').env(
    'MESHLENS_AUTH_TOKEN',
  );

export const outputOption = (choices: string[]): Option =>
  new Option('-o, --output <format>', 'output format').choices(choices).default(choices[0]);

export const windowOption = (): Option =>
  new Option('-t, --time-window <window>', 'look-back window').choices([...WINDOWS]).default('1m');

/** Accepts epoch milliseconds or an ISO-8601 date. */
export function parseTime(flag: string, value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new CliError(
      `${flag} must be epoch milliseconds or an ISO date, got "${value}"`,
      exitCodes.usage,
    );
  }
  return ms;
}

const kindAliases: Record<string, 'workload' | 'service' | 'namespace'> = {
  workload: 'workload',
  workloads: 'workload',
  deploy: 'workload',
  deployment: 'workload',
  deployments: 'workload',
  wl: 'workload',
  service: 'service',
  services: 'service',
  svc: 'service',
  namespace: 'namespace',
  namespaces: 'namespace',
  ns: 'namespace',
};

export function parseKind(value: string | undefined): 'workload' | 'service' | 'namespace' {
  if (value === undefined) return 'workload';
  const kind = kindAliases[value.toLowerCase()];
  if (kind === undefined) {
    throw new CliError(
      `unknown resource kind "${value}": use workload, service or namespace`,
      exitCodes.usage,
    );
  }
  return kind;
}

export interface TimeFlags {
  timeWindow: string;
  from?: string;
  to?: string;
}

/** The query shared by stat and edges: resource kind, optional namespace, window or range. */
export function resourceQuery(
  kind: string,
  flags: TimeFlags & { namespace?: string },
): URLSearchParams {
  const params = new URLSearchParams({ kind });
  if (flags.namespace !== undefined) params.set('namespace', flags.namespace);
  if (flags.from !== undefined) {
    params.set('from', String(parseTime('--from', flags.from)));
    if (flags.to !== undefined) params.set('to', String(parseTime('--to', flags.to)));
  } else if (flags.to !== undefined) {
    throw new CliError('--to needs --from', exitCodes.usage);
  } else {
    params.set('window', flags.timeWindow);
  }
  return params;
}
