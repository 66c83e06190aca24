// Drives scripts/lib/supervisor.mjs as npm start does, for supervisor.e2e.test.ts:
// `node supervise.mjs STATUS_FILE LOG_DIR [--fail-first]`. Prints its supervisor log lines and
// "started" or "first start failed: ..."; SIGTERM stops everything like Ctrl-C.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessSet } from '../../../scripts/lib/processes.mjs';
import { Supervisor } from '../../../scripts/lib/supervisor.mjs';

const [statusFile, logDir, mode] = process.argv.slice(2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const procs = new ProcessSet({
  root,
  logDir,
  onUnexpectedExit: (name) => console.log(`unexpected exit of ${name}`),
});
const sup = new Supervisor({ procs, statusFile });
const stop = async () => {
  sup.stop();
  await procs.stopAll();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
try {
  // a restart keeps the port of the first start
  await sup.start('child', 'e2e/demo/__fixtures__/child.mjs', (previous) => [
    '--port',
    String(previous?.port ?? 0),
    ...(mode === '--fail-first' ? ['--fail-first'] : []),
  ]);
  console.log('started');
} catch (err) {
  console.log(`first start failed: ${err.message.split('\n')[0]}`);
  await stop();
}
