/** Mesh configuration used by the cross-process tests. */
export const MESH_POLICY = `apiVersion: meshlens.io/v1alpha1
kind: MeshPolicy
metadata: { name: default }
spec: { defaultAuthorization: allow }
`;

export const routes = (v2Weight: string | number = 10) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: reviews, namespace: shop }
spec:
  parentRefs: [{ name: reviews }]
  rules:
    - name: by-header
      matches:
        - headers: [{ name: x-api-version, value: "2" }]
      backendRefs: [{ name: reviews, version: v2 }]
    - name: faulty
      matches:
        - path: { type: PathPrefix, value: /faulty }
      backendRefs: [{ name: reviews, version: v1 }]
    - name: split
      backendRefs:
        - { name: reviews, version: v1, weight: 90 }
        - { name: reviews, version: v2, weight: ${v2Weight} }
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier:
            set: [{ name: x-canary, value: "true" }]
---
apiVersion: meshlens.io/v1alpha1
kind: FaultPolicy
metadata: { name: reviews-chaos, namespace: shop }
spec:
  targetRef: { kind: HTTPRoute, name: reviews, sectionName: faulty }
  delay: { fixedDelay: 3s, percentage: 20 }
  abort: { httpStatus: 503, percentage: 20 }
`;

export const AUTHZ = `apiVersion: meshlens.io/v1alpha1
kind: AuthorizationPolicy
metadata: { name: reviews-callers, namespace: shop }
spec:
  targetRef: { kind: Service, name: reviews }
  from:
    - serviceAccounts: [frontend]
`;
