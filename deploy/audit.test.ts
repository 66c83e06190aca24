import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditVerdict } from '../scripts/lib/audit.mjs';
import { repoRoot } from './lib/entryPoints';

// What `npm audit --json` printed on this project's build machine, whose registry answers the
// bulk advisory endpoint with 405 (recorded by us, headers trimmed).
const REGISTRY_405 = JSON.stringify({
  message:
    '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  method: 'POST',
  uri: 'https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  statusCode: 405,
  body: '',
  error: { summary: '', detail: '' },
});

/** An npm audit report (auditReportVersion 2) with the given severities. */
function report(vulns: Record<string, string>): string {
  const counts: Record<string, number> = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 };
  for (const s of Object.values(vulns)) counts[s] = (counts[s] ?? 0) + 1;
  return JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities: Object.fromEntries(
      Object.entries(vulns).map(([name, severity]) => [
        name,
        { name, severity, via: [], fixAvailable: true },
      ]),
    ),
    metadata: { vulnerabilities: { ...counts, total: Object.keys(vulns).length } },
  });
}

describe('CI npm audit', () => {
  it('fails only on high or critical advisories, naming them', () => {
    expect(
      auditVerdict(report({ minimist: 'critical', lodash: 'moderate', qs: 'high' }), ''),
    ).toEqual({
      kind: 'findings',
      message:
        'npm audit: 2 production dependencies have high or critical advisories: minimist (critical), qs (high). ' +
        'Run `npm audit --omit=dev` for details.',
    });
    expect(auditVerdict(report({ lodash: 'moderate' }), '')).toEqual({
      kind: 'clean',
      message: 'npm audit: no high or critical advisories (0 info, 0 low, 1 moderate)',
    });
  });

  it('reports an unusable audit endpoint clearly and goes on', () => {
    expect(auditVerdict(REGISTRY_405, 'npm error audit endpoint returned an error\n')).toEqual({
      kind: 'unavailable',
      message:
        "npm audit: SKIPPED - the registry's audit endpoint could not be used (405 Method Not Allowed - " +
        'POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk); going on without it',
    });
    const offline = auditVerdict(
      '',
      'npm error code ENOTFOUND\nnpm error request to https://registry.npmjs.org failed\n',
    );
    expect(offline.kind).toBe('unavailable');
    expect(offline.message).toContain(
      'code ENOTFOUND; request to https://registry.npmjs.org failed',
    );
  });

  const fakeBin = mkdtempSync(join(tmpdir(), 'fake-npm-'));
  afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));
  /** Runs scripts/audit.mjs with an `npm` on PATH that prints `stdout` and exits `code`. */
  const runWith = (stdout: string, code: number) => {
    writeFileSync(join(fakeBin, 'out.json'), stdout);
    writeFileSync(
      join(fakeBin, 'npm'),
      `#!/bin/sh\ncat "${join(fakeBin, 'out.json')}"\nexit ${code}\n`,
    );
    chmodSync(join(fakeBin, 'npm'), 0o755);
    return spawnSync(process.execPath, [join(repoRoot, 'scripts/audit.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH ?? ''}` },
    });
  };

  it('scripts/audit.mjs exits 1 on a finding and 0 when the endpoint answers 405', () => {
    const bad = runWith(report({ minimist: 'critical' }), 1);
    expect({ status: bad.status, out: bad.stdout }).toEqual({
      status: 1,
      out: 'npm audit: 1 production dependency has high or critical advisories: minimist (critical). Run `npm audit --omit=dev` for details.\n',
    });
    const skipped = runWith(REGISTRY_405, 1);
    expect(skipped.status).toBe(0);
    expect(skipped.stdout).toMatch(
      /^npm audit: SKIPPED - the registry's audit endpoint could not be used \(405 /,
    );
  });

  it('.ci/run audits after installing and before the tests', () => {
    const steps = readFileSync(join(repoRoot, '.ci/run'), 'utf8')
      .split('\n')
      .filter((l) => /^(npm ci|node scripts\/audit\.mjs|npm test)$/.test(l));
    expect(steps).toEqual(['npm ci', 'node scripts/audit.mjs', 'npm test']);
  });
});
