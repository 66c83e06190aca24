import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import {
  ControlPlaneError,
  createTokenAdminClient,
  type JoinTokenInfo,
  type TokenAdminClient,
} from '@meshlens/cp-client';
import { renderTable } from '../format';
import { CliError, exitCodes } from '../io';
import type { CliIo } from '../io';
import { outputOption } from '../options';

interface AdminFlags {
  controlPlaneUrl: string;
  adminTokenFile: string;
}

const DURATION_RE = /^(\d+)(s|m|h|d)$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90m`, `24h`, `7d` -> seconds; the control plane enforces one minute .. one year. */
export function parseTtl(value: string): number {
  const m = DURATION_RE.exec(value.trim());
  if (!m) {
    throw new CliError(
      `--ttl must be a number with a unit s, m, h or d (e.g. 24h, 7d), got "${value}"`,
      exitCodes.usage,
    );
  }
  return Number(m[1]) * (UNIT_SECONDS[m[2] ?? 's'] ?? 1);
}

const adminOptions = (cmd: Command): Command =>
  cmd
    .addOption(
      new Option('--control-plane-url <url>', 'the control plane to ask')
        .env('MESHLENS_CONTROL_PLANE_URL')
        .default('http://127.0.0.1:50760'),
    )
    .addOption(
      new Option(
        '--admin-token-file <file>',
        "the control plane's admin token (created in its --data-dir on first start)",
      )
        .env('MESHLENS_ADMIN_TOKEN_FILE')
        .default('.meshlens-cp/admin.token'),
    );

async function adminClient(flags: AdminFlags): Promise<TokenAdminClient> {
  let adminToken: string;
  try {
    adminToken = (await readFile(flags.adminTokenFile, 'utf8')).trim();
  } catch (err) {
    throw new CliError(
      `cannot read the admin token file ${flags.adminTokenFile} (${(err as NodeJS.ErrnoException).code ?? 'error'}); ` +
        "pass --admin-token-file <control plane's data dir>/admin.token",
      exitCodes.usage,
    );
  }
  return createTokenAdminClient({ url: flags.controlPlaneUrl, adminToken });
}

/** Control-plane answers keep their message; a dead socket says which URL was tried. */
async function call<T>(flags: AdminFlags, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ControlPlaneError)
      throw new CliError(`control plane refused (HTTP ${err.status}): ${err.message}`);
    const cause =
      err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    throw new CliError(
      `control plane at ${flags.controlPlaneUrl} is unreachable${cause}`,
      exitCodes.unreachable,
    );
  }
}

function state(t: JoinTokenInfo, now: number): string {
  if (t.revokedAt !== undefined) return 'revoked';
  return Date.parse(t.expiresAt) <= now ? 'expired' : 'valid';
}

export function tokenCommand(io: CliIo): Command {
  const cmd = new Command('token')
    .description('join tokens: how a workload outside Kubernetes proves its service account')
    .addHelpText(
      'after',
      `
A proxy presents its join token (--token-file) to get a certificate for exactly that
namespace and service account, to register and to watch. The control plane stores only a hash.

Examples:
  meshlens token create --namespace shop --service-account payments --ttl 24h > payments.token
  meshlens token list
  meshlens token revoke 3f2a9c1b0d4e`,
    );

  cmd.addCommand(
    adminOptions(new Command('create'))
      .description('create a token for one service account; prints it once')
      .requiredOption('-n, --namespace <ns>', 'namespace of the service account')
      .requiredOption('--service-account <name>', 'service account the token speaks for')
      .option('--ttl <duration>', 'lifetime: s, m, h or d (e.g. 90m, 24h, 7d)', '24h')
      .addOption(outputOption(['text', 'json']))
      .addHelpText(
        'after',
        '\nThe token goes to stdout alone (redirect it into a file); details go to stderr.\n\nExample:\n  meshlens token create -n shop --service-account payments --ttl 7d > payments.token',
      )
      .action(
        async (
          flags: AdminFlags & {
            namespace: string;
            serviceAccount: string;
            ttl: string;
            output: string;
          },
        ) => {
          const ttlSeconds = parseTtl(flags.ttl);
          const admin = await adminClient(flags);
          const created = await call(flags, () =>
            admin.create({
              namespace: flags.namespace,
              serviceAccount: flags.serviceAccount,
              ttlSeconds,
            }),
          );
          if (flags.output === 'json') {
            io.stdout(`${JSON.stringify(created, null, 2)}\n`);
            return;
          }
          io.stdout(`${created.token}\n`);
          io.stderr(
            `join token ${created.info.id} for ${created.info.namespace}/${created.info.serviceAccount}, ` +
              `expires ${created.info.expiresAt}. It is shown only this once.\n`,
          );
        },
      ),
  );

  cmd.addCommand(
    adminOptions(new Command('list'))
      .description('list tokens (ids, service accounts, expiry; never the secret)')
      .addOption(outputOption(['table', 'json']))
      .addHelpText('after', '\nExample:\n  meshlens token list -o json')
      .action(async (flags: AdminFlags & { output: string }) => {
        const admin = await adminClient(flags);
        const tokens = await call(flags, () => admin.list());
        if (flags.output === 'json') {
          io.stdout(`${JSON.stringify({ tokens }, null, 2)}\n`);
          return;
        }
        if (tokens.length === 0) {
          io.stdout(
            'No join tokens. Create one with: meshlens token create -n NS --service-account SA\n',
          );
          return;
        }
        const now = Date.now();
        io.stdout(
          renderTable(
            ['ID', 'NAMESPACE', 'SERVICE_ACCOUNT', 'STATE', 'EXPIRES'],
            tokens.map((t) => [t.id, t.namespace, t.serviceAccount, state(t, now), t.expiresAt]),
          ),
        );
      }),
  );

  cmd.addCommand(
    adminOptions(new Command('revoke'))
      .description('revoke a token: refused from now on, its open watches end')
      .argument('<id>', 'token id (from `meshlens token list`)')
      .addHelpText('after', '\nExample:\n  meshlens token revoke 3f2a9c1b0d4e')
      .action(async (id: string, flags: AdminFlags) => {
        const admin = await adminClient(flags);
        const info = await call(flags, () => admin.revoke(id));
        io.stdout(
          `revoked join token ${info.id} (${info.namespace}/${info.serviceAccount}) at ${info.revokedAt ?? ''}\n`,
        );
      }),
  );
  return cmd;
}
