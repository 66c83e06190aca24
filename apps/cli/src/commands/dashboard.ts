import { Command, Option } from 'commander';
import { kubeDashboard } from '../dashboard/kube';
import { localDashboard } from '../dashboard/local';
import { CliError, exitCodes } from '../io';
import type { CliIo } from '../io';

interface DashboardFlags {
  port: string;
  address: string;
  config?: string;
  prometheusUrl?: string;
  controlPlaneUrl?: string;
  controlPlaneTokenFile?: string;
  open: boolean;
  verbose?: boolean;
  kube?: boolean;
  context?: string;
  namespace: string;
  service: string;
  servicePort: string;
  kubectl: string;
}

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new CliError(
      `${flag} must be a port number between 1 and 65535, got "${value}"`,
      exitCodes.usage,
    );
  }
  return n;
}

export function dashboardCommand(io: CliIo): Command {
  return new Command('dashboard')
    .description(
      'open the meshlens dashboard: run it locally, or port-forward to it in Kubernetes (--kube)',
    )
    .addOption(new Option('--port <port>', 'local port').env('MESHLENS_PORT').default('50750'))
    .option('--address <address>', 'address to bind (local mode)', '127.0.0.1')
    .option('--config <file>', 'dashboard config file (scrape targets, ...) (local mode)')
    .option(
      '--prometheus-url <url>',
      'read metrics from this Prometheus instead of scraping (local mode)',
    )
    .option(
      '--control-plane-url <url>',
      'scrape every proxy registered with this control plane (local mode)',
    )
    .option(
      '--control-plane-token-file <file>',
      "the dashboard's join token for the control plane (meshlens token create -n meshlens --service-account meshlens-dashboard) (local mode)",
    )
    .option('--no-open', 'do not open a browser')
    .option('--verbose', "show the dashboard server's logs")
    .option('--kube', 'port-forward to the dashboard running in a Kubernetes cluster')
    .option('--context <name>', 'kubeconfig context (--kube)')
    .option('-n, --namespace <ns>', 'namespace of the dashboard Service (--kube)', 'meshlens')
    .option('--service <name>', 'dashboard Service name (--kube)', 'meshlens-web')
    .option('--service-port <port>', 'dashboard Service port (--kube)', '50750')
    .addOption(
      new Option('--kubectl <path>', 'kubectl binary (--kube)').env('KUBECTL').default('kubectl'),
    )
    .addHelpText(
      'after',
      `
Runs until Ctrl-C. The browser opens unless --no-open (never when CI is set).

Examples:
  meshlens dashboard                                   local dashboard on http://127.0.0.1:50750/
  meshlens dashboard --control-plane-url http://127.0.0.1:50760 --control-plane-token-file dashboard.token
  meshlens dashboard --prometheus-url http://prometheus:9090 --port 8080
  meshlens dashboard --kube --context prod -n meshlens port-forward to svc/meshlens-web`,
    )
    .action(async (flags: DashboardFlags) => {
      const localPort = port('--port', flags.port);
      if (flags.kube) {
        await kubeDashboard(io, {
          context: flags.context,
          namespace: flags.namespace,
          service: flags.service,
          port: localPort,
          servicePort: port('--service-port', flags.servicePort),
          open: flags.open,
          kubectl: flags.kubectl,
          readyTimeoutMs: 30_000,
        });
        return;
      }
      await localDashboard(io, {
        port: localPort,
        address: flags.address,
        config: flags.config,
        prometheusUrl: flags.prometheusUrl,
        controlPlaneUrl: flags.controlPlaneUrl,
        controlPlaneTokenFile: flags.controlPlaneTokenFile,
        open: flags.open,
        verbose: flags.verbose === true,
      });
    });
}
