import { defineConfig } from 'tsup';

/** What every build shares: for the oldest Node keepwatch supports, with source maps. */
const shared = { target: 'node20', sourcemap: true, clean: true };

/**
 * A workspace package others import: its entries (`src/index.ts` unless told) as ESM (`.js`) and
 * CommonJS (`.cjs`), each with its declarations (`.d.ts`, `.d.cts`), for the `import` and
 * `require` conditions of the package's `exports`. Dependencies stay external, as tsup leaves
 * them by default.
 *
 * - `splitting` also for CommonJS: without it every CommonJS entry carries its own copy of the
 *   shared modules, so a package's error class from `./express` would not be the one from `.`.
 * - `shims`: `import.meta.url` in CommonJS (and `__dirname` in ESM) where a source uses it.
 */
export function packageConfig(options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    splitting: true,
    shims: true,
    ...shared,
    ...options,
  });
}

/**
 * An app that is run, not imported: `src/main.ts` as ESM, no declarations. Workspace packages
 * stay external: they are built on their own and resolved at run time.
 */
export function appConfig(options = {}) {
  return defineConfig({ entry: ['src/main.ts'], format: ['esm'], ...shared, ...options });
}
