import { describe, expect, it } from 'vitest';
import { certificateCheck, renderChecks } from './check';

const status = (earliest: string | null, ca: string | null) => ({
  version: '0.1.0',
  configVersion: 'abc',
  lastConfigError: null,
  endpoints: 3,
  watchers: 3,
  certsIssued: 3,
  earliestCertExpiry: earliest,
  caExpiry: ca,
});
const now = Date.parse('2026-11-25T12:00:00Z');

describe('certificateCheck', () => {
  it('is ok when the earliest certificate has more than an hour left', () => {
    expect(
      certificateCheck(status('2026-11-26T11:00:00.000Z', '2036-01-01T00:00:00.000Z'), now),
    ).toEqual({
      category: 'meshlens-identity',
      name: 'certificates are valid',
      status: 'ok',
      message: 'earliest expiry 2026-11-26T11:00:00.000Z',
    });
  });

  it('warns when renewal looks stuck and fails once expired', () => {
    expect(certificateCheck(status('2026-11-25T12:30:00.000Z', null), now).status).toBe('warning');
    expect(certificateCheck(status('2026-11-25T11:59:59.000Z', null), now)).toMatchObject({
      status: 'error',
      message: 'expired at 2026-11-25T11:59:59.000Z',
    });
  });

  it('is skipped before any certificate exists', () => {
    expect(certificateCheck(status(null, null), now).status).toBe('skipped');
  });
});

describe('renderChecks', () => {
  it('groups by category and ends with the overall result, without colour', () => {
    const text = renderChecks(
      [
        { category: 'a', name: 'one', status: 'ok', message: 'fine' },
        { category: 'a', name: 'two', status: 'error', message: 'broken' },
      ],
      false,
    );
    expect(text).toBe('a\n-\n√ one: fine\n× two: broken\n\nStatus check results are ×\n');
  });
});
