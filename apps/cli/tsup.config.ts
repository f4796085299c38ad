import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts'],
  banner: { js: '#!/usr/bin/env node' },
  format: ['esm'],
  target: 'node20',
  sourcemap: true,
  clean: true,
  // Workspace packages stay external: they are built on their own and resolved at run time.
});
