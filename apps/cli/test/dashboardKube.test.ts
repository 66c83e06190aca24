import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, isAlive, runCliToEnd, spawnCli, waitUntil } from './spawnCli';
import type { RunningCli } from './spawnCli';

const fakeBin = fileURLToPath(new URL('./fake-kubectl', import.meta.url));

describe('meshlens dashboard --kube (fake kubectl on PATH)', () => {
  let dir = '';
  let cli: RunningCli | undefined;

  afterEach(() => {
    if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL');
    cli = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
    dir = mkdtempSync(join(tmpdir(), 'meshlens-kube-'));
    return {
      ...process.env,
      PATH: `${fakeBin}${delimiter}${process.env.PATH ?? ''}`,
      FAKE_KUBECTL_LOG: join(dir, 'kubectl.log'),
      CI: 'true',
      ...extra,
    };
  };
  const log = (): string[] => readFileSync(join(dir, 'kubectl.log'), 'utf8').trim().split('\n');

  it('port-forwards to svc/meshlens-web, prints the URL and stops kubectl on Ctrl-C', async () => {
    const port = await freePort();
    cli = spawnCli(
      [
        'dashboard',
        '--kube',
        '--context',
        'kind-dev',
        '--namespace',
        'observability',
        '--port',
        String(port),
      ],
      env(),
    );
    await cli.waitFor(/Dashboard: (\S+)/);
    expect(cli.stdout().split('\n')[0]).toBe(`Dashboard: http://127.0.0.1:${port}/`);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('forwarded /');
    const first = log()[0] ?? '';
    const m = /^argv (\[.*\]) pid (\d+)$/.exec(first);
    expect(m).not.toBeNull();
    expect(JSON.parse(m?.[1] ?? '[]')).toEqual([
      '--context',
      'kind-dev',
      'port-forward',
      '-n',
      'observability',
      'svc/meshlens-web',
      `${port}:50750`,
    ]);
    const kubectlPid = Number(m?.[2]);
    expect(isAlive(kubectlPid)).toBe(true);

    cli.child.kill('SIGINT');
    expect(await cli.exit).toBe(0);
    await waitUntil(() => !isAlive(kubectlPid), 5000, 'kubectl to exit');
    expect(log()).toContain('signal SIGTERM');
  });

  it('says kubectl is missing, with exit code 4', async () => {
    const r = await runCliToEnd(
      ['dashboard', '--kube', '--kubectl', '/nonexistent/kubectl', '--port', '1'],
      env(),
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^meshlens: kubectl not found on PATH\. Install it/);
  });

  it('explains a cluster kubectl cannot reach, with exit code 4', async () => {
    const port = await freePort();
    const r = await runCliToEnd(
      ['dashboard', '--kube', '--port', String(port)],
      env({
        FAKE_KUBECTL_FAIL:
          'Unable to connect to the server: dial tcp 10.0.0.1:6443: connect: no route to host',
      }),
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      'meshlens: kubectl cannot reach the cluster:\n' +
        'Unable to connect to the server: dial tcp 10.0.0.1:6443: connect: no route to host\n' +
        'Check it with: kubectl cluster-info (and --context / KUBECONFIG).\n',
    );
  });
});
