import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { MutatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { DaemonSet, Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './entryPoints';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Pod, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

/** apiVersion/kind -> the kubernetes-models class whose validate() checks the API schema. */
const models: Record<string, ModelClass> = {
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/Pod': Pod,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'apps/v1/DaemonSet': DaemonSet,
  'batch/v1/Job': Job,
  'batch/v1/CronJob': CronJob,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': MutatingWebhookConfiguration,
};

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: Array<{ name: string; schema: { openAPIV3Schema: object } }>;
  };
}

/**
 * Validators for our own custom resources, compiled from the CRDs in deploy/kubernetes/crds.yaml:
 * what `kubectl apply` would check. OpenAPI v3 structural schemas are JSON Schema for what we use.
 */
const crdValidators = (() => {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const out = new Map<string, (doc: unknown) => string[]>();
  const text = readFileSync(join(repoRoot, 'deploy/kubernetes/crds.yaml'), 'utf8');
  for (const d of parseAllDocuments(text)) {
    const crd = d.toJS() as Crd;
    for (const v of crd.spec.versions) {
      const validate = ajv.compile(v.schema.openAPIV3Schema);
      out.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, (doc) =>
        validate(doc)
          ? []
          : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`),
      );
    }
  }
  return out;
})();

/** Validates one manifest against the Kubernetes API schema; returns the problems (empty when valid). */
export function validateManifest(doc: unknown): string[] {
  if (typeof doc !== 'object' || doc === null) return ['not an object'];
  const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  const custom = crdValidators.get(`${String(apiVersion)}/${String(kind)}`);
  if (custom !== undefined) return custom(doc);
  const Model = models[`${String(apiVersion)}/${String(kind)}`];
  if (Model === undefined) return [`no schema for ${String(apiVersion)}/${String(kind)}`];
  try {
    new Model(doc as never).validate();
    return [];
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
}
