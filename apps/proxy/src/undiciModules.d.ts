// Declarations for the two undici modules src/undiciCore.ts imports directly (undici ships
// types for its index only): CommonJS modules whose export is the class/function the index
// re-exports.
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';
  const AgentClass: typeof Agent;
  export = AgentClass;
}
declare module 'undici/lib/core/connect.js' {
  import type { buildConnector } from 'undici';
  const build: typeof buildConnector;
  export = build;
}
