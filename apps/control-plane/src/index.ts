export { createApp, type AppDeps, type ControlPlaneApp } from './app';
export { startControlPlane, CP_VERSION, type RunningControlPlane } from './server';
export { parseFlags, HELP, type CpFlags } from './flags';
export { createRegistry, serviceKey, type EndpointRegistry } from './registry';
export {
  createConfigStore,
  configVersion,
  type ConfigStore,
  type ConfigSnapshot,
} from './configStore';
export { loadOrCreateCa, type CertificateAuthority } from './ca';
