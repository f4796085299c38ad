// `@keepwatch/metrics/node-http`: the wrapper of a plain `node:http` request listener.
export { instrumentRequestListener } from './adapters/node-http.js';
export type { NodeHttpMetricsOptions } from './adapters/node-http.js';
