export type { HealthPluginOptions } from './fastify-plugin.js';
export { fastifyHealth } from './fastify-plugin.js';
