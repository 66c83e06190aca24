import { parseArgs } from 'node:util';
import * as z from 'zod';

export const HELP_TEXT = `meshlens-init - redirect a pod's TCP traffic to its meshlens proxy (iptables, nat table)

Usage: meshlens-init [flags]
Runs once in the pod's network namespace, as root with NET_ADMIN (the injected init container).
Re-running replaces meshlens's own chains (MESHLENS_OUTPUT, MESHLENS_PREROUTING): same rules,
no duplicates.

  --proxy-uid UID              the proxy's user id; its own connections are never redirected (default 2102)
  --outbound-port PORT         the proxy's outbound listener (default 4140)
  --inbound-port PORT          the proxy's inbound listener (default 4143)
  --admin-port PORT            the proxy's admin listener, never redirected inbound (default 4191)
  --inbound-ports P1,P2        only these app ports are redirected inbound (default: every port
                               except the proxy's own and --skip-inbound-ports)
  --skip-inbound-ports P1,P2   inbound ports left alone
  --skip-outbound-ports P1,P2  destination ports the app reaches directly
  --skip-outbound-cidrs C1,C2  destination networks the app reaches directly (e.g. 169.254.169.254/32)
  --iptables NAME              iptables binary (default iptables; e.g. iptables-legacy)
  --dry-run                    print the iptables-restore input and change nothing
  --help                       print this text

Exit codes: 0 applied (or printed), 2 invalid flags, 1 iptables missing, not permitted or failed.
`;

const port = (flag: string) =>
  z
    .string()
    .regex(/^\d+$/, `--${flag} must be a port number 1..65535`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 65535, `--${flag} must be a port number 1..65535`);

const portList = (flag: string) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
    )
    .pipe(z.array(port(flag)));

const cidr = z
  .string()
  .regex(
    /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/([12]?\d|3[0-2]))?$/,
    'must be IPv4 CIDRs like 10.0.0.0/8',
  );

const FlagsSchema = z.object({
  'proxy-uid': z
    .string()
    .regex(/^\d+$/, '--proxy-uid must be a numeric user id')
    .transform(Number)
    .default(2102),
  'outbound-port': port('outbound-port').default(4140),
  'inbound-port': port('inbound-port').default(4143),
  'admin-port': port('admin-port').default(4191),
  'inbound-ports': portList('inbound-ports').default([]),
  'skip-inbound-ports': portList('skip-inbound-ports').default([]),
  'skip-outbound-ports': portList('skip-outbound-ports').default([]),
  'skip-outbound-cidrs': z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== ''),
    )
    .pipe(z.array(cidr))
    .default([]),
  iptables: z
    .string()
    .regex(/^[\w./-]+$/, '--iptables must be a program name')
    .default('iptables'),
});

export interface InitFlags {
  proxyUid: number;
  outboundPort: number;
  inboundPort: number;
  adminPort: number;
  inboundPorts: number[];
  skipInboundPorts: number[];
  skipOutboundPorts: number[];
  skipOutboundCidrs: string[];
  iptables: string;
  dryRun: boolean;
}

export type FlagsResult =
  { kind: 'help' } | { kind: 'ok'; flags: InitFlags } | { kind: 'error'; message: string };

const STRING_FLAGS = [
  'proxy-uid',
  'outbound-port',
  'inbound-port',
  'admin-port',
  'inbound-ports',
  'skip-inbound-ports',
  'skip-outbound-ports',
  'skip-outbound-cidrs',
  'iptables',
] as const;

/** Parses argv (without node/script); never throws. */
export function parseFlags(argv: string[]): FlagsResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(STRING_FLAGS.map((n) => [n, { type: 'string' as const }])),
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
  if (values.help === true) return { kind: 'help' };
  const raw = Object.fromEntries(
    STRING_FLAGS.flatMap((n) => (typeof values[n] === 'string' ? [[n, values[n]]] : [])),
  );
  const parsed = FlagsSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      kind: 'error',
      message: parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; '),
    };
  }
  const f = parsed.data;
  return {
    kind: 'ok',
    flags: {
      proxyUid: f['proxy-uid'],
      outboundPort: f['outbound-port'],
      inboundPort: f['inbound-port'],
      adminPort: f['admin-port'],
      inboundPorts: f['inbound-ports'],
      skipInboundPorts: f['skip-inbound-ports'],
      skipOutboundPorts: f['skip-outbound-ports'],
      skipOutboundCidrs: f['skip-outbound-cidrs'],
      iptables: f.iptables,
      dryRun: values['dry-run'] === true,
    },
  };
}
