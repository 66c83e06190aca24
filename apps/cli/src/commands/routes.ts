import { Command } from 'commander';
import { routesResponseSchema, type RouteRow } from '@meshlens/contract';
import { getJson } from '../bffClient';
import { ms, percent, renderTable, rps } from '../format';
import type { CliIo } from '../io';
import {
  authTokenOption,
  bffUrlOption,
  outputOption,
  resourceQuery,
  windowOption,
} from '../options';
import type { TimeFlags } from '../options';

interface RoutesFlags extends TimeFlags {
  namespace: string;
  output: 'table' | 'json';
  bffUrl: string;
  authToken?: string;
}

function routesTable(routes: RouteRow[]): string {
  return renderTable(
    ['ROUTE', 'RULE', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P99'],
    routes.map((r) => [
      r.route,
      r.rule === '' ? '-' : r.rule,
      percent(r.successRate),
      rps(r.rps),
      ms(r.latencyMs.p50),
      ms(r.latencyMs.p99),
    ]),
  );
}

export function routesCommand(io: CliIo): Command {
  return new Command('routes')
    .description(
      'golden signals per HTTPRoute rule of a service (requests that matched no route: default)',
    )
    .argument('<service>', 'the service whose routes to show')
    .requiredOption('-n, --namespace <ns>', 'namespace of the service')
    .addOption(windowOption())
    .option('--from <time>', 'start of an absolute range (epoch ms or ISO date)')
    .option('--to <time>', 'end of the range (default now)')
    .addOption(outputOption(['table', 'json']))
    .addOption(bffUrlOption())
    .addOption(authTokenOption())
    .addHelpText(
      'after',
      `
Examples:
  meshlens routes reviews -n shop          the canary's rules, last minute
  meshlens routes reviews -n shop -o json`,
    )
    .action(async (service: string, flags: RoutesFlags) => {
      const params = resourceQuery('service', flags);
      params.delete('kind');
      params.set('name', service);
      const target = { baseUrl: flags.bffUrl, authToken: flags.authToken };
      const res = await getJson(target, '/api/v1/routes', params, routesResponseSchema);
      if (flags.output === 'json') {
        io.stdout(`${JSON.stringify(res, null, 2)}\n`);
        return;
      }
      if (res.routes.length === 0) {
        io.stderr(`No route traffic for ${flags.namespace}/${service} in this period.\n`);
        return;
      }
      io.stdout(routesTable(res.routes));
    });
}
