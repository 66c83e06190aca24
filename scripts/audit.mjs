// CI step: `npm audit --omit=dev --audit-level=high`, run once with --json so the outcome can be
// told apart. Fails only on a real high/critical advisory in a production dependency; when the
// registry's audit endpoint cannot be reached or answers an error (some mirrors answer 405),
// it says so and lets the run go on: an unavailable audit service is not a finding.
import { spawnSync } from 'node:child_process';
import { auditVerdict } from './lib/audit.mjs';

const r = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const verdict = auditVerdict(r.error ? '' : r.stdout, r.error ? String(r.error) : r.stderr);
process.stdout.write(`${verdict.message}\n`);
process.exit(verdict.kind === 'findings' ? 1 : 0);
