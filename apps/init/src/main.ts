import { HELP_TEXT, parseFlags } from './flags';
import { applyRules, InitError } from './iptables';
import { restoreScript } from './rules';

function main(): void {
  const parsed = parseFlags(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(HELP_TEXT);
    return;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(
      `meshlens-init: invalid flags: ${parsed.message}\nRun with --help for usage.\n`,
    );
    process.exitCode = 2;
    return;
  }
  const f = parsed.flags;
  if (f.dryRun) {
    // What a first run in a fresh pod applies (later runs skip the jumps that are there).
    process.stdout.write(
      `# input of ${f.iptables}-restore --noflush in a fresh pod\n${restoreScript(f, ['PREROUTING', 'OUTPUT'])}`,
    );
    return;
  }
  try {
    const script = applyRules(f);
    process.stdout.write(`meshlens-init: traffic redirected to the proxy\n${script}`);
  } catch (err) {
    if (!(err instanceof InitError)) throw err;
    process.stderr.write(`meshlens-init: ${err.message}\n`);
    process.exitCode = 1;
  }
}

main();
