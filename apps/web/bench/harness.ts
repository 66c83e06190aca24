// Shared by the bench scripts: the fixture BFF as a child process and headless Chromium.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// A bench build (`--mode bench`) is the production build plus the synthetic-graph page, in its
// own folder so the page never ships in `dist`.
export const DIST = path.join(WEB, 'dist-bench');

/** The real BFF binary with its fixture source, as a child process (port 0). */
export async function startBff(): Promise<{ url: string; stop: () => Promise<void> }> {
  const main = path.resolve(WEB, '../bff/src/main.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', main, '--port', '0', '--source', 'fixture', '--web-dist', DIST],
    { cwd: WEB, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // SIGTERM drains gracefully; a BFF that has not exited after 5 s is killed.
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('BFF did not log "listening" within 30 s')),
        30_000,
      );
      let buf = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        for (const l of buf.split('\n')) {
          try {
            const rec = JSON.parse(l) as { msg?: string; url?: string };
            if (rec.msg === 'listening' && typeof rec.url === 'string') {
              clearTimeout(timer);
              resolve(rec.url.replace(/\/$/, ''));
            }
          } catch {
            // not a complete JSON line yet
          }
        }
      });
      child.once('exit', (code) => reject(new Error(`BFF exited early (${String(code)})`)));
    });
    return { url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.MESHLENS_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
