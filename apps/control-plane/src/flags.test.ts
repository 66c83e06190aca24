import { describe, expect, it } from 'vitest';
import { parseFlags } from './flags';

describe('control plane flags', () => {
  it('turns on TokenReview with its audience and kubeconfig', () => {
    const f = parseFlags(['--kubernetes-token-review', '--kubeconfig', '/k/config'], {});
    expect(f !== 'help' && f.tokenReview).toEqual({
      kubeconfigFile: '/k/config',
      audience: 'meshlens',
    });
    const env = parseFlags([], {
      MESHLENS_CP_KUBERNETES_TOKEN_REVIEW: 'true',
      MESHLENS_CP_TOKEN_AUDIENCE: 'mesh',
    });
    expect(env !== 'help' && env.tokenReview).toEqual({
      kubeconfigFile: undefined,
      audience: 'mesh',
    });
    const off = parseFlags(['--admin-token-file', '/s/admin'], {});
    expect(off !== 'help' && [off.tokenReview, off.kubernetes, off.adminTokenFile]).toEqual([
      undefined,
      undefined,
      '/s/admin',
    ]);
  });

  it('--kubernetes reads the API and accepts projected tokens; --kubeconfig alone does not switch modes', () => {
    const f = parseFlags(
      [
        '--kubernetes',
        '--kubeconfig',
        '/k/config',
        '--replica-id',
        'cp-0',
        '--leader-lease-seconds',
        '4',
      ],
      { POD_NAMESPACE: 'mesh-system' },
    );
    expect(f !== 'help' && f.kubernetes).toEqual({
      kubeconfig: '/k/config',
      namespace: 'mesh-system',
      caSecret: 'meshlens-ca',
      leaseSeconds: 4,
      replicaId: 'cp-0',
    });
    expect(f !== 'help' && f.tokenReview).toEqual({
      kubeconfigFile: '/k/config',
      audience: 'meshlens',
    });
    const reviewOnly = parseFlags(['--kubernetes-token-review', '--kubeconfig', '/k/config'], {});
    expect(reviewOnly !== 'help' && reviewOnly.kubernetes).toBeUndefined();
    expect(() => parseFlags(['--kubernetes', '--leader-lease-seconds', '1'], {})).toThrow(
      '--leader-lease-seconds must be >= 2',
    );
  });

  it('explains that the shared bootstrap token is gone', () => {
    expect(() => parseFlags(['--bootstrap-token', 'x'.repeat(16)], {})).toThrow(
      '--bootstrap-token was removed: give each workload its own join token (`meshlens token create -n NS --service-account SA`) or use --kubernetes-token-review',
    );
  });
});
