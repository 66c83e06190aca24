import { Command, Option } from 'commander';
import type { TapEvent, TapPeer } from '@meshlens/contract';
import { apiClient, cliErrorFrom } from '../bffClient';
import type { CliIo } from '../io';
import { addTapOptions, stopSignal, tapQuery, type TapFlags } from '../tapOptions';

interface TapCommandFlags extends TapFlags {
  output: 'line' | 'wide' | 'json';
}

/** Names and paths come from the network: no control characters reach the terminal. */
export function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function peer(p: TapPeer | undefined): string {
  if (p === undefined) return '-';
  const name = p.workload ?? p.service;
  if (name !== undefined) return clean(p.namespace === undefined ? name : `${p.namespace}/${name}`);
  return clean(p.identity ?? p.address ?? '-');
}

function ms(v: number): string {
  return `${v < 10 ? v.toFixed(1) : v.toFixed(0)}ms`;
}

/** One event as a line, in the spirit of `linkerd viz tap`. */
export function formatTapLine(e: TapEvent, wide: boolean): string {
  switch (e.type) {
    case 'start': {
      const dir = e.direction === 'inbound' ? 'in ' : 'out';
      const extra = wide
        ? ` pod=${clean(e.proxy.pod)} src_id=${clean(e.src.identity ?? '-')} dst_id=${clean(e.dst.identity ?? '-')}`
        : '';
      const headers =
        wide && e.headers !== undefined
          ? Object.entries(e.headers)
              .map(([k, v]) => ` ${clean(k)}=${clean(v)}`)
              .join('')
          : '';
      return `req id=${clean(e.id)} proxy=${dir} src=${peer(e.src)} dst=${peer(e.dst)} tls=${e.tls} :method=${clean(e.method)} :authority=${clean(e.authority)} :path=${clean(e.path)}${extra}${headers}`;
    }
    case 'headers':
      return `rsp id=${clean(e.id)} :status=${e.status} latency=${ms(e.sinceStartMs)}${wide && e.dst !== undefined ? ` dst=${peer(e.dst)}` : ''}`;
    case 'end':
      return `end id=${clean(e.id)} :status=${e.status} duration=${ms(e.durationMs)} response-length=${e.responseBytes}B${e.error === undefined ? '' : ` error=${clean(e.reason ?? e.error)}`}`;
    case 'dropped':
      return `dropped count=${e.count} reason=${e.reason}${e.pod === undefined ? '' : ` pod=${clean(e.pod)}`}`;
  }
}

export function tapCommand(io: CliIo): Command {
  const cmd = new Command('tap').description(
    'print live requests of a resource as they happen (through the dashboard API)',
  );
  return addTapOptions(cmd)
    .addOption(
      new Option(
        '-o, --output <format>',
        'line (default), wide (pods, identities, headers), json (one event per line)',
      )
        .choices(['line', 'wide', 'json'])
        .default('line'),
    )
    .option('--headers', 'include header values (authorization, cookies and others stay redacted)')
    .addHelpText(
      'after',
      `
Examples:
  meshlens tap deploy/web -n shop
  meshlens tap deploy/web -n shop --path /api --method GET --max-rps 10
  meshlens tap deploy/web -n shop --to deploy/checkout -o wide
  meshlens tap ns/shop --duration 10s -o json | jq .status
Dropped events (over --max-rps or a slow terminal) are reported on stderr.`,
    )
    .action(async (resource: string, flags: TapCommandFlags) => {
      const q = tapQuery(resource, flags);
      const target = { baseUrl: flags.bffUrl, authToken: flags.authToken };
      // no timeout once streaming: only until the stream's headers
      const client = apiClient(target);
      const stop = stopSignal(flags.duration);
      try {
        await client.tap(
          q,
          {
            onInfo: (info) => {
              if (flags.output !== 'json') {
                io.stderr(
                  `tapping ${info.proxies.length} prox${info.proxies.length === 1 ? 'y' : 'ies'} (${info.perProxyMaxRps.toFixed(1)} req/s each)\n`,
                );
              }
            },
            onEvent: (e) => {
              if (flags.output === 'json') io.stdout(`${JSON.stringify(e)}\n`);
              else if (e.type === 'dropped') io.stderr(`${formatTapLine(e, false)}\n`);
              else io.stdout(`${formatTapLine(e, flags.output === 'wide')}\n`);
            },
            onProxyError: (err) =>
              io.stderr(`cannot tap ${clean(err.pod)}: ${clean(err.message)}\n`),
          },
          stop.signal,
        );
      } catch (err) {
        throw cliErrorFrom(target, '/api/v1/tap', err);
      } finally {
        stop.done();
      }
    });
}
