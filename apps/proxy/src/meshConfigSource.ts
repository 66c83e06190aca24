import { EMPTY_MESH_CONFIG, type MeshConfig } from '@meshlens/mesh-config/runtime';

/** The mesh configuration in force; sources replace it whole (all or nothing). */
export class ConfigStore {
  config: MeshConfig = EMPTY_MESH_CONFIG;
  version = 'none';
  lastError: string | undefined;

  set(config: MeshConfig, version: string): void {
    this.config = config;
    this.version = version;
    this.lastError = undefined;
  }
}
