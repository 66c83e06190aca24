import { Command, CommanderError } from 'commander';
import { checkCommand } from './commands/check';
import { dashboardCommand } from './commands/dashboard';
import { edgesCommand } from './commands/edges';
import { routesCommand } from './commands/routes';
import { injectCommand } from './commands/inject';
import { statCommand } from './commands/stat';
import { tokenCommand } from './commands/token';
import { tapCommand } from './commands/tap';
import { topCommand } from './commands/top';
import { CliError, exitCodes } from './io';
import type { CliIo } from './io';
import { cliVersion } from './version';

function versionCommand(io: CliIo): Command {
  return new Command('version')
    .description('print the meshlens CLI version')
    .option('--short', 'only the version number')
    .addHelpText('after', '\nExample:\n  meshlens version --short')
    .action((flags: { short?: boolean }) => {
      io.stdout(
        flags.short
          ? `${cliVersion()}\n`
          : `meshlens CLI ${cliVersion()} (node ${process.version})\n`,
      );
    });
}

export function createProgram(io: CliIo): Command {
  const program = new Command('meshlens')
    .description('meshlens: a small service mesh with a live observability dashboard')
    .version(cliVersion(), '-V, --cli-version')
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 failure (e.g. a check failed), 2 bad usage, 3 dashboard unreachable,
4 kubectl missing or cluster unreachable.

Examples:
  meshlens dashboard            run the dashboard and open it
  meshlens stat -n shop         golden signals per workload
  meshlens tap deploy/web -n shop --path /api   live requests
  meshlens top deploy/web -n shop               live busiest paths
  meshlens check                is everything healthy?
  meshlens inject -f app.yaml | kubectl apply -f -
  meshlens token create -n shop --service-account payments > payments.token`,
    );
  for (const cmd of [
    dashboardCommand(io),
    statCommand(io),
    edgesCommand(io),
    tapCommand(io),
    topCommand(io),
    routesCommand(io),
    checkCommand(io),
    injectCommand(io),
    tokenCommand(io),
    versionCommand(io),
  ]) {
    program.addCommand(cmd);
  }
  const configure = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/** Runs the CLI and returns the exit code instead of exiting (tests call this in process). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    await createProgram(io).parseAsync(argv);
    return exitCodes.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version "errors" are successes in commander's book
      return err.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (err instanceof CliError) {
      if (err.message) io.stderr(`meshlens: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`meshlens: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodes.failure;
  }
}
