import { Command, Option } from 'commander';
import {
  controlPlaneResponseSchema,
  statusResponseSchema,
  targetsResponseSchema,
} from '@meshlens/contract';
import type { ControlPlaneResponse, ControlPlaneStatus } from '@meshlens/contract';
import { createControlPlaneClient } from '@meshlens/cp-client';
import { getJson } from '../bffClient';
import type { BffTarget } from '../bffClient';
import { CliError, exitCodes } from '../io';
import type { CliIo } from '../io';
import { authTokenOption, bffUrlOption, outputOption } from '../options';

export type CheckStatus = 'ok' | 'warning' | 'error' | 'skipped';

export interface CheckResult {
  category: string;
  name: string;
  status: CheckStatus;
  message: string;
}

/** Proxies renew their certificates well before expiry; less than this left means renewal is stuck. */
const RENEWAL_MARGIN_MS = 3_600_000;

async function bffChecks(target: BffTarget, out: CheckResult[]): Promise<boolean> {
  const category = 'meshlens-dashboard';
  try {
    const s = await getJson(target, '/api/v1/status', new URLSearchParams(), statusResponseSchema);
    out.push({
      category,
      name: 'dashboard is reachable',
      status: 'ok',
      message: `version ${s.version} at ${target.baseUrl}`,
    });
    const src = s.source;
    out.push({
      category,
      name: `telemetry source (${src.kind}) is healthy`,
      status: src.healthy && !s.stale ? 'ok' : 'error',
      message: src.healthy && !s.stale ? 'receiving data' : (src.lastError ?? 'no fresh data'),
    });
    return true;
  } catch (err) {
    const message = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    out.push({ category, name: 'dashboard is reachable', status: 'error', message });
    return false;
  }
}

export function certificateCheck(
  cp: NonNullable<ControlPlaneResponse['status']>,
  now: number,
): CheckResult {
  const category = 'meshlens-identity';
  const expiries = [cp.earliestCertExpiry, cp.caExpiry].filter((e): e is string => e !== null);
  if (expiries.length === 0) {
    return {
      category,
      name: 'certificates are valid',
      status: 'skipped',
      message: 'no certificates issued yet',
    };
  }
  const earliest = Math.min(...expiries.map((e) => Date.parse(e)));
  const iso = new Date(earliest).toISOString();
  if (earliest <= now)
    return {
      category,
      name: 'certificates are valid',
      status: 'error',
      message: `expired at ${iso}`,
    };
  if (earliest - now < RENEWAL_MARGIN_MS) {
    return {
      category,
      name: 'certificates are valid',
      status: 'warning',
      message: `earliest expiry ${iso} is less than an hour away (renewal stuck?)`,
    };
  }
  return {
    category,
    name: 'certificates are valid',
    status: 'ok',
    message: `earliest expiry ${iso}`,
  };
}

type CpState =
  | { kind: 'unconfigured' }
  | { kind: 'unreachable'; url: string; error: string }
  | { kind: 'ok'; url: string; status: ControlPlaneStatus };

/**
 * Asks the control plane itself (through @meshlens/cp-client) when its URL is known, so a
 * stopped control plane is seen at once; the BFF's view is the fallback.
 */
async function controlPlaneState(
  cp: ControlPlaneResponse,
  flagUrl: string | undefined,
): Promise<CpState> {
  const url = flagUrl ?? cp.url;
  if (url === null || url === undefined) return { kind: 'unconfigured' };
  const client = createControlPlaneClient({ url });
  try {
    const st = await client.status();
    const lastConfigError =
      st.lastConfigError === undefined
        ? null
        : st.lastConfigError.errors
            .map((e) => [e.file, e.object, e.field].filter(Boolean).join(' ') + `: ${e.message}`)
            .join('; ');
    return {
      kind: 'ok',
      url,
      status: {
        version: st.version,
        configVersion: st.configVersion,
        lastConfigError,
        endpoints: st.endpoints,
        watchers: st.watchers,
        certsIssued: st.certsIssued,
        earliestCertExpiry: st.earliestCertExpiry,
        caExpiry: st.caExpiry,
      },
    };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
    const message = err instanceof Error ? err.message : String(err);
    return { kind: 'unreachable', url, error: cause ? `${message} (${cause})` : message };
  } finally {
    client.close();
  }
}

function controlPlaneChecks(state: CpState, out: CheckResult[]): void {
  const category = 'meshlens-control-plane';
  const name = 'control plane is reachable';
  if (state.kind === 'unconfigured') {
    out.push({
      category,
      name,
      status: 'skipped',
      message: 'the dashboard runs without --control-plane-url',
    });
    return;
  }
  if (state.kind === 'unreachable') {
    out.push({ category, name, status: 'error', message: `${state.url}: ${state.error}` });
    return;
  }
  const st = state.status;
  out.push({ category, name, status: 'ok', message: `version ${st.version} at ${state.url}` });
  out.push({
    category,
    name: 'configuration is valid',
    status: st.lastConfigError === null ? 'ok' : 'error',
    message: st.lastConfigError ?? `config version ${st.configVersion}`,
  });
  out.push({
    category: 'meshlens-proxies',
    name: 'proxies are registered',
    status: st.endpoints > 0 ? 'ok' : 'warning',
    message: `${st.endpoints} registered, ${st.watchers} watching`,
  });
}

async function proxyHealthCheck(target: BffTarget, out: CheckResult[]): Promise<void> {
  const t = await getJson(target, '/api/v1/targets', new URLSearchParams(), targetsResponseSchema);
  const down = t.targets.filter((x) => x.health === 'down');
  out.push({
    category: 'meshlens-proxies',
    name: 'proxies answer scrapes',
    status: t.targets.length === 0 ? 'warning' : down.length === 0 ? 'ok' : 'error',
    message:
      down.length === 0
        ? `${t.targets.length} targets up`
        : `${down.length} of ${t.targets.length} down: ${down.map((d) => `${d.url} (${d.lastError ?? 'down'})`).join(', ')}`,
  });
}

export async function runChecks(
  target: BffTarget,
  controlPlaneUrl?: string,
  now = Date.now(),
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  if (!(await bffChecks(target, out))) return out;
  const cp = await getJson(
    target,
    '/api/v1/controlplane',
    new URLSearchParams(),
    controlPlaneResponseSchema,
  );
  const cpState = await controlPlaneState(cp, controlPlaneUrl);
  controlPlaneChecks(cpState, out);
  await proxyHealthCheck(target, out);
  if (cpState.kind === 'ok') out.push(certificateCheck(cpState.status, now));
  return out;
}

const marks: Record<CheckStatus, [string, string]> = {
  ok: ['√', '32'],
  warning: ['‼', '33'],
  error: ['×', '31'],
  skipped: ['-', '90'],
};

export function renderChecks(results: CheckResult[], color: boolean): string {
  const lines: string[] = [];
  let category = '';
  for (const r of results) {
    if (r.category !== category) {
      category = r.category;
      if (lines.length > 0) lines.push('');
      lines.push(category, '-'.repeat(category.length));
    }
    const [mark, code] = marks[r.status];
    lines.push(`${color ? `\u001b[${code}m${mark}\u001b[0m` : mark} ${r.name}: ${r.message}`);
  }
  const failed = results.some((r) => r.status === 'error');
  lines.push('', `Status check results are ${failed ? '×' : '√'}`);
  return lines.join('\n') + '\n';
}

export function checkCommand(io: CliIo): Command {
  return new Command('check')
    .description('check the dashboard, control plane, proxies, certificates and configuration')
    .addOption(outputOption(['table', 'json']))
    .addOption(bffUrlOption())
    .addOption(authTokenOption())
    .addOption(
      new Option(
        '--control-plane-url <url>',
        'control plane to ask (default: the one the dashboard uses)',
      ).env('MESHLENS_CONTROL_PLANE_URL'),
    )
    .addHelpText(
      'after',
      `
Exits 0 when every check passes (warnings allowed), 1 when one fails.

Examples:
  meshlens check
  meshlens check -o json | jq '.checks[] | select(.status == "error")'`,
    )
    .action(
      async (flags: {
        output: string;
        bffUrl: string;
        authToken?: string;
        controlPlaneUrl?: string;
      }) => {
        const results = await runChecks(
          { baseUrl: flags.bffUrl, authToken: flags.authToken },
          flags.controlPlaneUrl,
        );
        const success = !results.some((r) => r.status === 'error');
        if (flags.output === 'json')
          io.stdout(`${JSON.stringify({ success, checks: results }, null, 2)}\n`);
        else io.stdout(renderChecks(results, io.color));
        if (!success) throw new CliError('', exitCodes.failure);
      },
    );
}
