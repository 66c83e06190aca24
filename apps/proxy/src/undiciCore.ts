/**
 * undici's Agent and connector, imported from their own modules rather than the package index:
 * the index also loads fetch, WebSocket, the HTTP cache and the mock agent, which the proxy never
 * uses (measured: ~4 MB more heap, and 1 MB more bundle). Types: src/undiciModules.d.ts.
 */
export { default as Agent } from 'undici/lib/dispatcher/agent.js';
export { default as buildConnector } from 'undici/lib/core/connect.js';
