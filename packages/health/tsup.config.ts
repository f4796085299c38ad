import { packageConfig } from '@keepwatch/tsup-config';

// The Fastify plugin is its own entry (`@keepwatch/health/fastify`) so the core never loads
// fastify-plugin and a non-Fastify service needs no Fastify types. zod/mini is built in (see
// src/zod.ts).
export default packageConfig({ entry: ['src/index.ts', 'src/fastify.ts'], bundle: ['zod'] });
