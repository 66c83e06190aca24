// `npm test`: every check CI relies on. The static checks (typecheck, lint, format) read the
// tree and nothing else, so they run side by side, each one's output printed whole when it ends;
// if any fails, the run stops there with all of their verdicts. Then the build, then the tests.
import { spawn } from 'node:child_process';

const checks = [
  ['typecheck', ['npm', 'run', '--silent', 'typecheck']],
  ['lint', ['npm', 'run', '--silent', 'lint']],
  ['format', ['npm', 'run', '--silent', 'format:check']],
];
const steps = [
  ['build', ['npm', 'run', '--silent', 'build']],
  ['tests', ['npx', 'vitest', 'run', ...process.argv.slice(2)]],
];

/** Runs a step; `buffered` keeps its output until it ends (for steps that run side by side). */
function run(name, [cmd, ...args], buffered) {
  const started = Date.now();
  const line = `== ${name}: ${[cmd, ...args].join(' ')}`;
  if (!buffered) console.log(`\n${line}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    const out = [];
    child.stdout?.on('data', (d) => out.push(d));
    child.stderr?.on('data', (d) => out.push(d));
    child.on('error', (err) => out.push(Buffer.from(`${err.message}\n`)));
    child.on('close', (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (buffered) {
        console.log(`\n${line}`);
        process.stdout.write(Buffer.concat(out));
      }
      if (code === 0) console.log(`✓ ${name} (${seconds}s)`);
      else console.error(`\n✗ ${name} failed after ${seconds}s (exit ${code ?? signal})`);
      // a command that could not start closes with a negative errno: exit 1 for it
      resolve(code !== null && code >= 0 ? code : 1);
    });
  });
}

console.log(`\n== ${checks.map(([name]) => name).join(', ')}: side by side`);
const codes = await Promise.all(checks.map(([name, command]) => run(name, command, true)));
const failed = codes.find((code) => code !== 0);
if (failed !== undefined) process.exit(failed);
for (const [name, command] of steps) {
  const code = await run(name, command, false);
  if (code !== 0) process.exit(code);
}
