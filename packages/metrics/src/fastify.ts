// `@keepwatch/metrics/fastify`: the Fastify plugin, an entry of its own so that the root entry
// (and its types) never load fastify or fastify-plugin for an Express or node:http service.
export { fastifyMetrics, fastifyRouteName } from './adapters/fastify.js';
export type { FastifyMetricsOptions } from './adapters/fastify.js';
