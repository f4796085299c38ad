// `@keepwatch/profiler/fastify`: the Fastify plugin, an entry of its own so that the root entry
// (and its types) never load fastify or fastify-plugin.
export { profilerPlugin } from './fastify-plugin.js';
export type { ProfilerPluginOptions } from './fastify-plugin.js';
export { defaultUrlName } from './url-name.js';
