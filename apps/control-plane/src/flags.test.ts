import { describe, expect, it } from 'vitest';
import { parseFlags } from './flags';

describe('control plane flags', () => {
  it('turns on TokenReview with its audience and kubeconfig', () => {
    const f = parseFlags(['--kubernetes-token-review', '--kubeconfig', '/k/config'], {});
    expect(f !== 'help' && f.kubernetes).toEqual({
      kubeconfigFile: '/k/config',
      audience: 'meshlens',
    });
    const env = parseFlags([], {
      MESHLENS_CP_KUBERNETES_TOKEN_REVIEW: 'true',
      MESHLENS_CP_TOKEN_AUDIENCE: 'mesh',
    });
    expect(env !== 'help' && env.kubernetes).toEqual({
      kubeconfigFile: undefined,
      audience: 'mesh',
    });
    const off = parseFlags(['--admin-token-file', '/s/admin'], {});
    expect(off !== 'help' && [off.kubernetes, off.adminTokenFile]).toEqual([undefined, '/s/admin']);
  });

  it('explains that the shared bootstrap token is gone', () => {
    expect(() => parseFlags(['--bootstrap-token', 'x'.repeat(16)], {})).toThrow(
      '--bootstrap-token was removed: give each workload its own join token (`meshlens token create -n NS --service-account SA`) or use --kubernetes-token-review',
    );
  });
});
