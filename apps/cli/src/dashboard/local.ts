import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runtimeEnv } from '@meshlens/inject';
import { CliError, exitCodes } from '../io';
import type { CliIo } from '../io';
import { openBrowser } from '../browser';
import { stopChild, stoppedByInterrupt, untilSignalOrExit } from './child';

export interface LocalDashboardOptions {
  port: number;
  address: string;
  config?: string | undefined;
  prometheusUrl?: string | undefined;
  controlPlaneUrl?: string | undefined;
  /** the dashboard's own credential for the control plane */
  controlPlaneTokenFile?: string | undefined;
  open: boolean;
  verbose: boolean;
}

export function bffArgs(o: LocalDashboardOptions): string[] {
  const args = ['--port', String(o.port), '--address', o.address];
  if (o.config !== undefined) args.push('--config', o.config);
  if (o.prometheusUrl !== undefined)
    args.push('--prometheus-url', o.prometheusUrl, '--source', 'prometheus');
  if (o.controlPlaneUrl !== undefined) args.push('--control-plane-url', o.controlPlaneUrl);
  if (o.controlPlaneTokenFile !== undefined)
    args.push('--control-plane-token-file', o.controlPlaneTokenFile);
  return args;
}

/** The BFF's environment: meshlens's runtime settings under the user's own (which win). */
export function bffEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...runtimeEnv, ...env };
}

function bffMain(): string {
  return join(dirname(fileURLToPath(import.meta.resolve('@meshlens/bff'))), 'main.ts');
}

interface LogLine {
  msg?: unknown;
  url?: unknown;
  level?: unknown;
}

function parseLine(line: string): LogLine | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

/** `meshlens dashboard`: runs the BFF (which serves the SPA) as a child and waits for Ctrl-C. */
export async function localDashboard(io: CliIo, o: LocalDashboardOptions): Promise<void> {
  const tsx = import.meta.resolve('tsx');
  const child = spawn(process.execPath, ['--import', tsx, bffMain(), ...bffArgs(o)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: bffEnv(io.env),
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (o.verbose) io.stderr(d.toString());
  });
  const url = await new Promise<string | undefined>((resolve) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const log = parseLine(line);
      if (o.verbose) io.stderr(`${line}\n`);
      else if (typeof log?.level === 'number' && log.level >= 50) io.stderr(`${line}\n`);
      if (log?.msg === 'listening' && typeof log.url === 'string') resolve(log.url);
    });
    child.once('exit', () => resolve(undefined));
  });
  if (url === undefined) {
    await stopChild(child);
    throw new CliError(`the dashboard server did not start:\n${stderr.trim()}`, exitCodes.failure);
  }
  const shown = url.endsWith('/') ? url : `${url}/`;
  io.stdout(`Dashboard: ${shown}\n`);
  if (o.open) openBrowser(shown, io.env, io.stderr);
  const why = await untilSignalOrExit(child);
  await stopChild(child);
  if (why === 'exit' && !stoppedByInterrupt(child))
    throw new CliError(`the dashboard server stopped:\n${stderr.trim()}`);
}
