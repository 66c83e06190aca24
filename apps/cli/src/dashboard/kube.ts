import { spawn } from 'node:child_process';
import { CliError, exitCodes } from '../io';
import type { CliIo } from '../io';
import { openBrowser } from '../browser';
import { stopChild, stoppedByInterrupt, untilSignalOrExit, waitForHttp } from './child';

export interface KubeDashboardOptions {
  context?: string | undefined;
  namespace: string;
  service: string;
  port: number;
  servicePort: number;
  open: boolean;
  kubectl: string;
  readyTimeoutMs: number;
}

export function portForwardArgs(o: KubeDashboardOptions): string[] {
  return [
    ...(o.context !== undefined ? ['--context', o.context] : []),
    'port-forward',
    '-n',
    o.namespace,
    `svc/${o.service}`,
    `${o.port}:${o.servicePort}`,
  ];
}

/** Turns kubectl's complaint into what the user should do about it. */
export function explainKubectlFailure(stderr: string, o: KubeDashboardOptions): string {
  const said = stderr.trim().split('\n').slice(-3).join('\n');
  const ctx = o.context ? ` --context ${o.context}` : '';
  if (/not found/i.test(stderr)) {
    return (
      `kubectl could not find service ${o.service} in namespace ${o.namespace}:\n${said}\n` +
      `Is meshlens installed there? kubectl${ctx} apply -k deploy/kubernetes (or pass --namespace).`
    );
  }
  if (/context .* does not exist|no context|current-context/i.test(stderr)) {
    return `kubectl has no such context:\n${said}\nList them with: kubectl config get-contexts`;
  }
  if (/address already in use|unable to listen/i.test(stderr)) {
    return `local port ${o.port} is already in use:\n${said}\nPick another with --port.`;
  }
  return (
    `kubectl cannot reach the cluster:\n${said || '(kubectl printed nothing)'}\n` +
    `Check it with: kubectl${ctx} cluster-info (and --context / KUBECONFIG).`
  );
}

/**
 * `meshlens dashboard --kube`: forwards a local port to the in-cluster dashboard Service,
 * waits until it answers, prints the URL and keeps forwarding until Ctrl-C.
 */
export async function kubeDashboard(io: CliIo, o: KubeDashboardOptions): Promise<void> {
  const child = spawn(o.kubectl, portForwardArgs(o), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  let gone = false;
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  child.once('exit', () => (gone = true));
  void spawnError.then(() => (gone = true));
  const url = `http://127.0.0.1:${o.port}/`;
  const ready = await waitForHttp(`${url}live`, o.readyTimeoutMs, () => gone || interrupted);
  process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  if (interrupted) {
    await stopChild(child);
    return;
  }
  if (!ready) {
    const err = await Promise.race([spawnError, Promise.resolve(undefined)]);
    await stopChild(child);
    if (err && 'code' in err && err.code === 'ENOENT') {
      throw new CliError(
        `kubectl not found on PATH. Install it (https://kubernetes.io/docs/tasks/tools/) ` +
          'or run the dashboard locally with `meshlens dashboard` (without --kube).',
        exitCodes.kubectl,
      );
    }
    if (gone) throw new CliError(explainKubectlFailure(stderr, o), exitCodes.kubectl);
    throw new CliError(
      `the dashboard did not answer on ${url} within ${o.readyTimeoutMs / 1000}s; kubectl said:\n${stderr.trim()}`,
      exitCodes.kubectl,
    );
  }
  io.stdout(
    `Dashboard: ${url}\n(port-forward to svc/${o.service} in ${o.namespace}; Ctrl-C to stop)\n`,
  );
  if (o.open) openBrowser(url, io.env, io.stderr);
  const why = await untilSignalOrExit(child);
  await stopChild(child);
  if (why === 'exit' && !stoppedByInterrupt(child))
    throw new CliError(`kubectl port-forward stopped:\n${stderr.trim()}`, exitCodes.kubectl);
}
