import { Command } from 'commander';
import { TopTable, type TopRow } from '@meshlens/api-client';
import { apiClient, cliErrorFrom } from '../bffClient';
import { renderTable } from '../format';
import type { CliIo } from '../io';
import { addTapOptions, stopSignal, tapQuery, type TapFlags } from '../tapOptions';
import { clean } from './tap';

interface TopFlags extends TapFlags {
  interval: string;
  rows: string;
}

function latency(v: number): string {
  return Number.isFinite(v) ? `${v < 10 ? v.toFixed(1) : v.toFixed(0)}ms` : '-';
}

export function topTable(rows: TopRow[], now: number): string {
  return renderTable(
    ['DIRECTION', 'PEER', 'METHOD', 'PATH', 'COUNT', 'SUCCESS', 'MIN', 'P50', 'MAX', 'LAST'],
    rows.map((r) => [
      r.direction === 'inbound' ? 'from' : 'to',
      clean(r.peer),
      clean(r.method),
      clean(r.path),
      String(r.count),
      `${((r.successes / r.count) * 100).toFixed(0)}%`,
      latency(r.minMs),
      latency(r.p50Ms),
      latency(r.maxMs),
      `${Math.max(0, Math.round((now - r.lastSeen) / 1000))}s ago`,
    ]),
  );
}

export function topCommand(io: CliIo): Command {
  const cmd = new Command('top').description(
    'live table of the busiest paths of a resource, by peer (tap, aggregated)',
  );
  return addTapOptions(cmd)
    .option('--interval <seconds>', 'refresh every N seconds', '2')
    .option('--rows <n>', 'show the N busiest rows', '20')
    .addHelpText(
      'after',
      `
Examples:
  meshlens top deploy/web -n shop
  meshlens top deploy/payments -n shop --direction inbound
  meshlens top ns/shop --duration 30s > top.txt     plain tables, one per interval
On a terminal the table redraws in place; otherwise a table is printed every interval.`,
    )
    .action(async (resource: string, flags: TopFlags) => {
      const q = tapQuery(resource, flags);
      const target = { baseUrl: flags.bffUrl, authToken: flags.authToken };
      const table = new TopTable();
      const limit = Math.max(1, Number(flags.rows) || 20);
      const draw = () => {
        const text = topTable(table.snapshot().slice(0, limit), Date.now());
        // ESC[H ESC[2J: home and clear, then the table
        io.stdout(io.tty === true ? `\u001b[H\u001b[2J${text}` : `${text}\n`);
      };
      const timer = setInterval(draw, Math.max(0.5, Number(flags.interval) || 2) * 1000);
      const stop = stopSignal(flags.duration);
      try {
        await apiClient(target).tap(q, { onEvent: (e) => table.add(e) }, stop.signal);
      } catch (err) {
        throw cliErrorFrom(target, '/api/v1/tap', err);
      } finally {
        clearInterval(timer);
        stop.done();
      }
      draw();
    });
}
