import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { injectManifests, type InjectOptions } from '@meshlens/inject';
import { CliError, exitCodes } from '../io';
import type { CliIo } from '../io';
import { cliVersion } from '../version';

interface InjectFlags {
  filename: string[];
  image?: string;
  controlPlaneUrl?: string;
  traceCollectorUrl?: string;
  tlsMode?: 'disabled' | 'permissive' | 'strict';
}

async function readSource(io: CliIo, file: string): Promise<string> {
  if (file === '-') return io.readStdin();
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : '';
    throw new CliError(`cannot read ${file}: ${code || String(err)}`, exitCodes.usage);
  }
}

export function injectCommand(io: CliIo): Command {
  return new Command('inject')
    .description('add the meshlens proxy sidecar to Kubernetes workloads in YAML manifests')
    .requiredOption('-f, --filename <file...>', 'manifest file(s), or - for standard input')
    .option('--image <image>', 'proxy image')
    .option('--control-plane-url <url>', 'control plane the proxies register with')
    .option('--trace-collector-url <url>', 'where proxies send spans (OTLP/HTTP JSON)')
    .addOption(
      new Option('--tls-mode <mode>', 'mTLS mode of the proxies').choices([
        'disabled',
        'permissive',
        'strict',
      ]),
    )
    .addHelpText(
      'after',
      `
Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and Pods (also inside a
List) get meshlens-init (iptables: the pod's TCP goes through the proxy, no app change) and the
proxy as a native sidecar (an init container with restartPolicy: Always, Kubernetes >= 1.29),
found by Prometheus and the dashboard through its port named meshlens-admin. The app's own
containers and prometheus.io/* annotations stay as they are. The same function serves the
admission webhook (meshlens-injector). Only the injected lines change: comments, quoting and
indentation are kept; injecting twice changes nothing.
Pods annotated meshlens.io/inject: disabled and hostNetwork pods are skipped (with the reason).
The YAML goes to stdout, a summary per workload to stderr.

Examples:
  meshlens inject -f deploy.yaml | kubectl apply -f -
  kubectl get deploy -n shop -o yaml | meshlens inject -f - | kubectl apply -f -`,
    )
    .action(async (flags: InjectFlags) => {
      const options: InjectOptions = { proxyVersion: cliVersion() };
      if (flags.image !== undefined) options.image = flags.image;
      if (flags.controlPlaneUrl !== undefined) options.controlPlaneUrl = flags.controlPlaneUrl;
      if (flags.traceCollectorUrl !== undefined)
        options.traceCollectorUrl = flags.traceCollectorUrl;
      if (flags.tlsMode !== undefined) options.tlsMode = flags.tlsMode;
      const outputs: string[] = [];
      for (const file of flags.filename) {
        const text = await readSource(io, file);
        let result;
        try {
          result = injectManifests(text, options);
        } catch (err) {
          throw new CliError(
            `${file}: ${err instanceof Error ? err.message : String(err)}`,
            exitCodes.usage,
          );
        }
        outputs.push(result.output);
        for (const r of result.reports) {
          if (r.outcome === 'not-a-workload') continue;
          const what = `${r.kind.toLowerCase()} "${r.name}"`;
          if (r.outcome === 'injected') io.stderr(`${what} injected\n`);
          else if (r.outcome === 'already-injected')
            io.stderr(`${what} already injected, left as is\n`);
          else io.stderr(`${what} skipped: ${r.reason ?? ''}\n`);
        }
      }
      io.stdout(outputs.join('---\n'));
    });
}
