import { defineConfig } from 'tsup';

/** What every build shares: ESM for the oldest Node keepwatch supports, with source maps. */
const shared = { format: ['esm'], target: 'node20', sourcemap: true, clean: true };

/**
 * A workspace package others import: its entries (`src/index.ts` unless told) with type
 * declarations. Dependencies stay external, as tsup leaves them by default.
 */
export function packageConfig(options = {}) {
  return defineConfig({ entry: ['src/index.ts'], dts: true, ...shared, ...options });
}

/**
 * An app that is run, not imported: `src/main.ts`, no declarations. Workspace packages stay
 * external: they are built on their own and resolved at run time.
 */
export function appConfig(options = {}) {
  return defineConfig({ entry: ['src/main.ts'], ...shared, ...options });
}
