import { createInterface } from 'node:readline';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { HELP_TEXT, parseFlags } from './flags';
import type { DemoFlags } from './flags';
import { startInstance } from './instance';
import type { RunningInstance } from './instance';
import { nextScraperRequest, nextShopperRequest, startLoad } from './loadgen';
import { shopInstances } from './topology';
import type { InstanceSpec } from './topology';

function specFromFlags(f: DemoFlags): InstanceSpec {
  const service = f.service ?? 'web';
  const workload = f.workload ?? (service === 'reviews' ? `reviews-${f.version}` : service);
  return {
    service,
    workload,
    version: f.version,
    pod: f.pod ?? `${workload}-0`,
    serviceAccount: service,
  };
}

/** Load generators start sending once their outbound proxy is known. */
function maybeStartLoad(
  inst: RunningInstance,
  f: DemoFlags,
  log: Logger,
  started: Set<string>,
): (() => void) | undefined {
  const { service, pod } = inst.spec;
  if ((service !== 'loadgen' && service !== 'scraper') || started.has(pod)) return undefined;
  started.add(pod);
  const next = service === 'loadgen' ? () => nextShopperRequest(Math.random) : nextScraperRequest;
  const rps = f.rps ?? (service === 'loadgen' ? 8 : 0.5);
  log.info({ pod, rps }, 'load generator started');
  return startLoad(inst.caller, next, { rps, maxInFlight: 64 }, log.child({ pod })).stop;
}

function listenOnStdin(
  instances: RunningInstance[],
  onOutbound: (inst: RunningInstance) => void,
  log: Logger,
): void {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      log.warn({ line: line.slice(0, 200) }, 'stdin line is not JSON, ignored');
      return;
    }
    const outbound =
      typeof msg === 'object' && msg !== null && 'outbound' in msg ? msg.outbound : undefined;
    if (typeof outbound !== 'object' || outbound === null) return;
    for (const [pod, url] of Object.entries(outbound)) {
      const inst = instances.find((i) => i.spec.pod === pod);
      if (inst === undefined || typeof url !== 'string') continue;
      inst.setOutbound(url);
      onOutbound(inst);
    }
    log.info({ pods: Object.keys(outbound).length }, 'outbound proxies configured');
  });
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, process.env);
  if (!parsed.ok) {
    process.stderr.write(`meshlens demo: ${parsed.error}\nRun with --help for the flags.\n`);
    return 2;
  }
  const f = parsed.flags;
  if (f.help) {
    process.stdout.write(HELP_TEXT);
    return 0;
  }
  const log = pino({ level: f['log-level'], base: { component: 'demo' } });
  const specs = f.all ? shopInstances : [specFromFlags(f)];
  const instances = await Promise.all(
    specs.map((spec) =>
      startInstance(spec, {
        address: f.address,
        port: f.all ? 0 : f.port,
        outboundUrl: f['outbound-url'],
        logger: log,
      }),
    ),
  );
  const stops: (() => void)[] = [];
  const started = new Set<string>();
  const onOutbound = (inst: RunningInstance): void => {
    const stop = maybeStartLoad(inst, f, log, started);
    if (stop) stops.push(stop);
  };
  log.info(
    { address: f.address, instances: instances.map((i) => ({ ...i.spec, port: i.port })) },
    'listening',
  );
  if (f.all) listenOnStdin(instances, onOutbound, log);
  else if (f['outbound-url'] !== undefined) instances.forEach(onOutbound);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  stops.forEach((stop) => stop());
  await Promise.all(instances.map((i) => i.close()));
  log.info('stopped');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
