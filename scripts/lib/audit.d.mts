export function auditVerdict(
  stdout: string,
  stderr: string,
): { kind: 'clean' | 'findings' | 'unavailable'; message: string };
