export interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined, comments and parser directives dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l);
      return { op: (m?.[1] ?? l).toUpperCase(), args: m?.[2] ?? '' };
    });
}

/** `npm run build -w @meshlens/web` -> { script: 'build', workspace: '@meshlens/web' } */
export function npmRunSteps(run: string): { script: string; workspace: string | undefined }[] {
  return run
    .split('&&')
    .map((c) => c.trim().split(/\s+/))
    .filter((w) => w[0] === 'npm' && w[1] === 'run')
    .map((w) => {
      const rest = w.slice(2).filter((x) => !x.startsWith('--'));
      const wi = rest.findIndex((x) => x === '-w' || x === '--workspace');
      const workspace = wi === -1 ? undefined : rest[wi + 1];
      const script = rest.filter((_, i) => wi === -1 || (i !== wi && i !== wi + 1))[0] ?? '';
      return { script, workspace };
    });
}
