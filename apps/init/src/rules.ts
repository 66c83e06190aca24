import type { InitFlags } from './flags';

export const OUTPUT_CHAIN = 'MESHLENS_OUTPUT';
export const PREROUTING_CHAIN = 'MESHLENS_PREROUTING';

/** The jumps from the built-in chains into ours; added only when missing (idempotence). */
export const JUMPS = [
  ['PREROUTING', PREROUTING_CHAIN],
  ['OUTPUT', OUTPUT_CHAIN],
] as const;

/** Rules of meshlens's own nat chains, in order, as iptables arguments after `-A CHAIN`. */
export function chainRules(f: InitFlags): { chain: string; args: string[] }[] {
  const out = (args: string[]) => ({ chain: OUTPUT_CHAIN, args: ['-p', 'tcp', ...args] });
  const inb = (args: string[]) => ({ chain: PREROUTING_CHAIN, args: ['-p', 'tcp', ...args] });
  const toInbound = ['-j', 'REDIRECT', '--to-ports', String(f.inboundPort)];
  const proxyPorts = [f.inboundPort, f.outboundPort, f.adminPort];
  const inbound =
    f.inboundPorts.length > 0
      ? f.inboundPorts
          .filter((p) => !proxyPorts.includes(p) && !f.skipInboundPorts.includes(p))
          .map((p) => inb(['--dport', String(p), ...toInbound]))
      : [
          ...[...new Set([...proxyPorts, ...f.skipInboundPorts])].map((p) =>
            inb(['--dport', String(p), '-j', 'RETURN']),
          ),
          inb(toInbound),
        ];
  return [
    ...inbound,
    // The proxy's own connections (to other proxies, the control plane, passthrough) go out as
    // they are: without this they would loop back into its outbound listener.
    out(['-m', 'owner', '--uid-owner', String(f.proxyUid), '-j', 'RETURN']),
    out(['-d', '127.0.0.0/8', '-j', 'RETURN']),
    ...f.skipOutboundCidrs.map((c) => out(['-d', c, '-j', 'RETURN'])),
    ...f.skipOutboundPorts.map((p) => out(['--dport', String(p), '-j', 'RETURN'])),
    out(['-j', 'REDIRECT', '--to-ports', String(f.outboundPort)]),
  ];
}

/**
 * `iptables-restore --noflush` input: declaring our chains empties them, so a re-run replaces
 * its rules instead of adding copies; the whole table is committed at once (nothing
 * half-applied). `missingJumps` are the built-in chain jumps not there yet.
 */
export function restoreScript(f: InitFlags, missingJumps: readonly string[]): string {
  const lines = ['*nat', `:${PREROUTING_CHAIN} - [0:0]`, `:${OUTPUT_CHAIN} - [0:0]`];
  for (const r of chainRules(f)) lines.push(`-A ${r.chain} ${r.args.join(' ')}`);
  for (const [builtin, ours] of JUMPS) {
    if (missingJumps.includes(builtin)) lines.push(`-A ${builtin} -p tcp -j ${ours}`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}
