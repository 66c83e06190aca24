import { spawn } from 'node:child_process';

/**
 * Opens a URL in the user's browser (xdg-open / open / start). Never in CI and never fatal:
 * the URL is printed anyway.
 */
export function openBrowser(
  url: string,
  env: NodeJS.ProcessEnv,
  warn: (text: string) => void,
): void {
  if (env.CI) return;
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () =>
    warn(`could not open a browser (${cmd} missing); open ${url} yourself\n`),
  );
  child.unref();
}
