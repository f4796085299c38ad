import { defineConfig } from 'tsup';

export default defineConfig({
  // The Fastify plugin is its own entry (`@keepwatch/health/fastify`) so the core never loads
  // fastify-plugin and a non-Fastify service needs no Fastify types.
  entry: ['src/index.ts', 'src/fastify.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
