import { describe, expect, it } from 'vitest';
import type { ObjectVerdict } from './configFromKube';
import { MESH_RESOURCES } from './meshObjects';
import { CONTROLLER_NAME, desiredStatus } from './status';

const httpRoute = MESH_RESOURCES[0];
const T0 = new Date('2026-11-30T06:00:00.000Z');
const T1 = new Date('2026-11-30T07:00:00.000Z');

const verdict = (
  over: Partial<ObjectVerdict>,
  status?: Record<string, unknown>,
): ObjectVerdict => ({
  resource: httpRoute,
  object: {
    metadata: { name: 'r', namespace: 'ns', generation: 3 },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'echo', port: 80 }] },
    ...(status ? { status } : {}),
  },
  accepted: true,
  reasons: [],
  resolvedRefs: true,
  ...over,
});

describe('HTTPRoute status', () => {
  it('writes Accepted and ResolvedRefs for each Service parent, keeping other controllers’ entries', () => {
    const other = {
      parentRef: { name: 'gw' },
      controllerName: 'example.com/gateway',
      conditions: [],
    };
    const s = desiredStatus(verdict({}, { parents: [other] }), T0) as {
      parents: Array<{
        controllerName: string;
        parentRef: unknown;
        conditions: Array<Record<string, unknown>>;
      }>;
    };
    expect(s.parents[0]).toEqual(other);
    expect(s.parents[1]?.controllerName).toBe(CONTROLLER_NAME);
    expect(s.parents[1]?.parentRef).toEqual({ group: '', kind: 'Service', name: 'echo', port: 80 });
    expect(s.parents[1]?.conditions).toEqual([
      {
        type: 'Accepted',
        status: 'True',
        reason: 'Accepted',
        message: 'in force on every proxy',
        observedGeneration: 3,
        lastTransitionTime: '2026-11-30T06:00:00Z',
      },
      {
        type: 'ResolvedRefs',
        status: 'True',
        reason: 'ResolvedRefs',
        message: 'every backend Service exists',
        observedGeneration: 3,
        lastTransitionTime: '2026-11-30T06:00:00Z',
      },
    ]);
  });

  it('writes nothing when the status is already right, and keeps transition times of unchanged conditions', () => {
    const first = desiredStatus(verdict({}), T0) as Record<string, unknown>;
    expect(desiredStatus(verdict({}, first), T1)).toBeUndefined();
    const broken = desiredStatus(
      verdict({ resolvedRefs: false, unresolved: ['ns/echo-v3'] }, first),
      T1,
    ) as {
      parents: Array<{
        conditions: Array<{ type: string; reason: string; lastTransitionTime: string }>;
      }>;
    };
    const [accepted, resolved] = broken.parents[0]?.conditions ?? [];
    expect(accepted?.lastTransitionTime).toBe('2026-11-30T06:00:00Z');
    expect(resolved).toMatchObject({
      reason: 'BackendNotFound',
      lastTransitionTime: '2026-11-30T07:00:00Z',
    });
  });

  it('rejected: Accepted False with the reasons, no ResolvedRefs', () => {
    const s = desiredStatus(
      verdict({ accepted: false, reasons: ['spec.rules[0]: Unrecognized key: "queryParams"'] }),
      T0,
    ) as {
      parents: Array<{ conditions: Array<Record<string, unknown>> }>;
    };
    expect(s.parents[0]?.conditions).toEqual([
      expect.objectContaining({
        type: 'Accepted',
        status: 'False',
        reason: 'UnsupportedValue',
        message: 'spec.rules[0]: Unrecognized key: "queryParams"',
      }),
    ]);
  });
});

describe('policy status', () => {
  it('writes status.conditions with Invalid for a rejected policy', () => {
    const v: ObjectVerdict = {
      resource: MESH_RESOURCES[1],
      object: { metadata: { name: 'p', namespace: 'ns' }, spec: {} },
      accepted: false,
      reasons: ['spec.action: Invalid option'],
    };
    expect(desiredStatus(v, T0)).toEqual({
      conditions: [
        {
          type: 'Accepted',
          status: 'False',
          reason: 'Invalid',
          message: 'spec.action: Invalid option',
          lastTransitionTime: '2026-11-30T06:00:00Z',
        },
      ],
    });
  });
});
