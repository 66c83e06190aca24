import { Command } from 'commander';
import { statResponseSchema } from '@meshlens/contract';
import type { StatRow } from '@meshlens/contract';
import { getJson } from '../bffClient';
import { bytesPerSec, ms, percent, renderTable, rps } from '../format';
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

interface StatFlags extends TimeFlags {
  namespace?: string;
  output: 'table' | 'wide' | 'json';
  bffUrl: string;
  authToken?: string;
}

function meshed(row: StatRow): string {
  return `${row.meshed.ready ?? row.meshed.total}/${row.meshed.total}`;
}

function statTable(rows: StatRow[], flags: StatFlags): string {
  const showNs = flags.namespace === undefined;
  const wide = flags.output === 'wide';
  const headers = [
    ...(showNs ? ['NAMESPACE'] : []),
    'NAME',
    'MESHED',
    'SUCCESS',
    'RPS',
    'LATENCY_P50',
    'LATENCY_P95',
    'LATENCY_P99',
    'TCP_CONN',
    ...(wide ? ['REQUESTS_OK', 'REQUESTS_FAILED', 'READ_BYTES/SEC', 'WRITE_BYTES/SEC'] : []),
  ];
  const body = rows.map((r) => [
    ...(showNs ? [r.namespace] : []),
    r.name,
    meshed(r),
    percent(r.successRate),
    rps(r.rps),
    ms(r.latencyMs.p50),
    ms(r.latencyMs.p95),
    ms(r.latencyMs.p99),
    String(r.tcp.openConnections),
    ...(wide
      ? [
          r.requests.success.toFixed(0),
          r.requests.failure.toFixed(0),
          bytesPerSec(r.tcp.readBytesPerSec),
          bytesPerSec(r.tcp.writeBytesPerSec),
        ]
      : []),
  ]);
  return renderTable(headers, body);
}

export function statCommand(io: CliIo): Command {
  return new Command('stat')
    .description('golden signals per workload, service or namespace (as the dashboard shows them)')
    .argument('[kind]', 'workload (default), service or namespace')
    .option('-n, --namespace <ns>', 'only this namespace')
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
  meshlens stat                        workloads in every namespace, last minute
  meshlens stat deploy -n shop -t 5m   workloads in namespace shop, last 5 minutes
  meshlens stat ns -o json             namespaces, as the dashboard API returns them
  meshlens stat svc --from 2026-11-25T18:00:00Z --to 2026-11-25T18:15:00Z`,
    )
    .action(async (kindArg: string | undefined, flags: StatFlags) => {
      const kind = parseKind(kindArg);
      const params = resourceQuery(kind, flags);
      const target = { baseUrl: flags.bffUrl, authToken: flags.authToken };
      const res = await getJson(target, '/api/v1/stat', params, statResponseSchema);
      if (flags.output === 'json') {
        io.stdout(`${JSON.stringify(res, null, 2)}\n`);
        return;
      }
      if (res.rows.length === 0) {
        io.stderr(
          `No traffic found for ${kind}s${flags.namespace ? ` in namespace ${flags.namespace}` : ''}.\n`,
        );
        return;
      }
      io.stdout(statTable(res.rows, flags));
    });
}
