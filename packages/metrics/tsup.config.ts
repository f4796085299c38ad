import { packageConfig } from '@keepwatch/tsup-config';

// Each adapter is its own entry (`@keepwatch/metrics/fastify`, `/express`, `/node-http`) so the
// core never loads fastify-plugin and an Express or node:http service needs no Fastify types.
// zod/mini is built in (see src/zod.ts).
export default packageConfig({
  entry: ['src/index.ts', 'src/fastify.ts', 'src/express.ts', 'src/node-http.ts'],
  bundle: ['zod'],
});
