export { injectPodTemplate } from './injectPod';
export type { InjectContext, InjectOutcome, PodInjection } from './injectPod';
export { jsonDiff } from './jsonDiff';
export type { PatchOperation } from './jsonDiff';
export { injectManifests } from './manifests';
export type { InjectOptions, InjectReport, InjectResult } from './manifests';
export {
  adminPortName,
  defaultSidecarOptions,
  initContainerName,
  injectAnnotation,
  proxyCommand,
  proxyContainerName,
  proxyNodeFlags,
  runtimeEnv,
  proxyPorts,
  proxyUid,
} from './sidecar';
export type { SidecarOptions } from './sidecar';
