import { describe, expect, it } from 'vitest';
import { parseYamlDocuments } from './load';
import { parseMeshConfigPerObject } from './perObject';

const docs = (text: string) => parseYamlDocuments(text, 'api').docs;

const ROUTE = (name: string, extra = '') => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: shop }
spec:
  parentRefs: [{ group: '', kind: Service, name: reviews }]
  rules:
    - name: main
      backendRefs: [{ name: reviews, weight: 1 }]${extra}
`;

describe('parseMeshConfigPerObject', () => {
  it('rejects an invalid object alone, naming its field, and keeps the valid ones', () => {
    const r = parseMeshConfigPerObject(
      docs(`${ROUTE('good')}---\n${ROUTE('bad', '\n      timeouts: { request: soon }')}`),
    );
    expect(r.config.routes.map((x) => x.name)).toEqual(['good']);
    expect(r.verdicts.map((v) => [v.object, v.accepted])).toEqual([
      ['HTTPRoute shop/good', true],
      ['HTTPRoute shop/bad', false],
    ]);
    expect(r.verdicts[1]?.errors.map((e) => e.field)).toEqual(['spec.rules[0].timeouts.request']);
  });

  it('rejects a policy whose target route was rejected, and one whose route does not exist', () => {
    const fault = (route: string, name: string) => `apiVersion: meshlens.io/v1alpha1
kind: FaultPolicy
metadata: { name: ${name}, namespace: shop }
spec:
  targetRef: { kind: HTTPRoute, name: ${route} }
  abort: { httpStatus: 503, percentage: 10 }
`;
    const r = parseMeshConfigPerObject(
      docs(
        [
          ROUTE('good'),
          ROUTE('bad', '\n      timeouts: { request: soon }'),
          fault('good', 'on-good'),
          fault('bad', 'on-bad'),
          fault('missing', 'on-missing'),
        ].join('---\n'),
      ),
    );
    expect(r.verdicts.map((v) => [v.object, v.accepted])).toEqual([
      ['HTTPRoute shop/good', true],
      ['HTTPRoute shop/bad', false],
      ['FaultPolicy shop/on-good', true],
      ['FaultPolicy shop/on-bad', false],
      ['FaultPolicy shop/on-missing', false],
    ]);
    expect(r.verdicts[3]?.errors[0]).toMatchObject({
      field: 'spec.targetRef.name',
      message: 'no HTTPRoute shop/bad',
    });
    expect(r.config.routes[0]?.rules[0]?.fault?.policy).toBe('shop/on-good');
  });

  it('accepts the first MeshPolicy and rejects a second one', () => {
    const mp = (name: string, d: string) => `apiVersion: meshlens.io/v1alpha1
kind: MeshPolicy
metadata: { name: ${name}, namespace: meshlens }
spec: { defaultAuthorization: ${d} }
`;
    const r = parseMeshConfigPerObject(docs(`${mp('a', 'deny')}---\n${mp('b', 'allow')}`));
    expect(r.verdicts.map((v) => v.accepted)).toEqual([true, false]);
    expect(r.config.defaultAuthorization).toBe('deny');
  });

  it('gives an empty configuration and no verdict of acceptance for nothing', () => {
    const r = parseMeshConfigPerObject([]);
    expect(r.verdicts).toEqual([]);
    expect(r.config.routes).toEqual([]);
  });
});
