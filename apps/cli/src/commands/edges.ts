import { Command } from 'commander';
import { edgesResponseSchema } from '@meshlens/contract';
import type { Edge } from '@meshlens/contract';
import { getJson } from '../bffClient';
import { ms, percent, renderTable, rps } from '../format';
import type { CliIo } from '../io';
import {
  authTokenOption,
  bffUrlOption,
  outputOption,
  parseKind,
  resourceQuery,
  windowOption,
} from '../options';
import type { TimeFlags } from '../options';

interface EdgesFlags extends TimeFlags {
  namespace?: string;
  output: 'table' | 'wide' | 'json';
  bffUrl: string;
  authToken?: string;
}

function secured(e: Edge, color: boolean): string {
  const mark = e.mtls === 'mtls' ? '√' : e.mtls === 'plaintext' ? '×' : e.mtls;
  if (!color) return mark;
  return e.mtls === 'mtls' ? `\u001b[32m${mark}\u001b[0m` : `\u001b[31m${mark}\u001b[0m`;
}

function edgesTable(edges: Edge[], flags: EdgesFlags, color: boolean): string {
  const wide = flags.output === 'wide';
  const headers = [
    'SRC',
    'DST',
    'SRC_NS',
    'DST_NS',
    'SECURED',
    'SUCCESS',
    'RPS',
    'LATENCY_P50',
    'LATENCY_P99',
    ...(wide ? ['CLIENT_ID', 'SERVER_ID'] : []),
  ];
  const rows = edges.map((e) => [
    e.source.name,
    e.destination.name,
    e.source.namespace,
    e.destination.namespace,
    secured(e, color),
    percent(e.successRate),
    rps(e.rps),
    ms(e.latencyMs.p50),
    ms(e.latencyMs.p99),
    ...(wide ? [e.clientId ?? '-', e.serverId ?? '-'] : []),
  ]);
  return renderTable(headers, rows);
}

export function edgesCommand(io: CliIo): Command {
  return new Command('edges')
    .description(
      'calls between resources: who calls whom, secured by mTLS or not, with golden signals',
    )
    .argument('[kind]', 'workload (default), service or namespace')
    .option('-n, --namespace <ns>', 'only edges touching this namespace')
    .addOption(windowOption())
    .option('--from <time>', 'start of an absolute range (epoch ms or ISO date)')
    .option('--to <time>', 'end of the range (default now)')
    .addOption(outputOption(['table', 'wide', 'json']))
    .addOption(bffUrlOption())
    .addOption(authTokenOption())
    .addHelpText(
      'after',
      `
Examples:
  meshlens edges                 workload edges, last minute
  meshlens edges -n shop -o wide with the client and server identities
  meshlens edges -o json`,
    )
    .action(async (kindArg: string | undefined, flags: EdgesFlags) => {
      const kind = parseKind(kindArg);
      const params = resourceQuery(kind, flags);
      const target = { baseUrl: flags.bffUrl, authToken: flags.authToken };
      const res = await getJson(target, '/api/v1/edges', params, edgesResponseSchema);
      if (flags.output === 'json') {
        io.stdout(`${JSON.stringify(res, null, 2)}\n`);
        return;
      }
      if (res.edges.length === 0) {
        io.stderr('No edges found.\n');
        return;
      }
      io.stdout(edgesTable(res.edges, flags, io.color));
    });
}
