import { pino } from 'pino';
import { HELP, parseFlags } from './flags';
import { startControlPlane } from './server';

async function main(): Promise<void> {
  let flags;
  try {
    flags = parseFlags(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`control-plane: ${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (flags === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const logger = pino({ level: flags.logLevel, base: { component: 'control-plane' } });
  let cp;
  try {
    cp = await startControlPlane(flags, logger);
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'cannot start');
    process.exit(1);
  }
  // Logged at any --log-level: scripts and tests wait for this line to learn the port.
  const announce = pino({ base: { component: 'control-plane' } });
  announce.info(
    { url: cp.url, address: flags.address, port: cp.port, adminTokenFile: cp.adminTokenFile },
    'listening',
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    void cp.close().then(() => {
      logger.info({}, 'stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
