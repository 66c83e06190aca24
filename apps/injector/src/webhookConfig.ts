import { PATHS } from './app';

export interface WebhookConfigOptions {
  caPem: string;
  namespace: string;
  service: string;
  port: number;
}

const podRule = {
  operations: ['CREATE'],
  apiGroups: [''],
  apiVersions: ['v1'],
  resources: ['pods'],
  scope: 'Namespaced',
};

/** Namespaces never sent to the webhook: the cluster's own and meshlens's. */
const systemNamespaces = ['kube-system', 'kube-public', 'kube-node-lease', 'meshlens'];

/**
 * The MutatingWebhookConfiguration, with the mesh CA as caBundle (generated from the CA file
 * the injector serves with, so they always match). Two webhooks: pods in namespaces labelled
 * meshlens.io/inject=enabled, and pods elsewhere (injected only with the pod annotation).
 * failurePolicy Ignore: a webhook that is down never blocks pod creation.
 */
export function webhookConfiguration(o: WebhookConfigOptions): Record<string, unknown> {
  const common = (path: string) => ({
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: 'Ignore',
    timeoutSeconds: 5,
    reinvocationPolicy: 'Never',
    rules: [podRule],
    clientConfig: {
      service: { name: o.service, namespace: o.namespace, path, port: o.port },
      caBundle: Buffer.from(o.caPem).toString('base64'),
    },
  });
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'meshlens-injector', labels: { 'app.kubernetes.io/part-of': 'meshlens' } },
    webhooks: [
      {
        name: 'namespace.inject.meshlens.io',
        ...common(PATHS.namespaceEnabled),
        namespaceSelector: {
          matchExpressions: [
            { key: 'meshlens.io/inject', operator: 'In', values: ['enabled'] },
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: systemNamespaces },
          ],
        },
      },
      {
        name: 'pod.inject.meshlens.io',
        ...common(PATHS.podAnnotation),
        namespaceSelector: {
          matchExpressions: [
            { key: 'meshlens.io/inject', operator: 'NotIn', values: ['enabled', 'disabled'] },
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: systemNamespaces },
          ],
        },
      },
    ],
  };
}
