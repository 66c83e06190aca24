const FAILING = new Set(['high', 'critical']);

/**
 * What `npm audit --json` printed means for CI.
 * @param {string} stdout the JSON report (or npm's JSON error object)
 * @param {string} stderr npm's own messages, quoted when the audit could not run
 * @returns {{ kind: 'clean' | 'findings' | 'unavailable', message: string }}
 */
export function auditVerdict(stdout, stderr) {
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    report = undefined;
  }
  const counts = report?.metadata?.vulnerabilities;
  if (report?.auditReportVersion !== undefined && counts !== undefined) {
    const failing = Object.entries(report.vulnerabilities ?? {})
      .filter(([, v]) => FAILING.has(v?.severity))
      .map(([name, v]) => `${name} (${v.severity})`)
      .sort();
    if (failing.length > 0) {
      return {
        kind: 'findings',
        message:
          `npm audit: ${failing.length} production dependenc${failing.length === 1 ? 'y has' : 'ies have'} ` +
          `high or critical advisories: ${failing.join(', ')}. Run \`npm audit --omit=dev\` for details.`,
      };
    }
    const below = ['info', 'low', 'moderate'].map((s) => `${counts[s] ?? 0} ${s}`).join(', ');
    return { kind: 'clean', message: `npm audit: no high or critical advisories (${below})` };
  }
  const why =
    (typeof report?.message === 'string' && report.message) ||
    (typeof report?.error?.summary === 'string' && report.error.summary) ||
    stderr
      .split('\n')
      .map((l) => l.replace(/^npm (error|warn|ERR!) /, '').trim())
      .filter(Boolean)
      .join('; ') ||
    'no report';
  return {
    kind: 'unavailable',
    message: `npm audit: SKIPPED - the registry's audit endpoint could not be used (${why}); going on without it`,
  };
}
