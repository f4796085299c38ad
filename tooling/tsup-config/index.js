import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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
 * - `bundle`: packages (and their subpaths) built into dist instead of being dependencies, each
 *   with its licence copied to `dist/third-party/<name>/LICENSE`, as its MIT terms ask of a copy.
 *   For a small part of a large package (zod/mini: about 52 kB per format of zod's 8 MB); the
 *   package then lists it under devDependencies only (tsup bundles a devDependency that src
 *   imports even unasked: this option adds the licence), and no declaration of it may reach the
 *   package's own.
 */
export function packageConfig({ bundle = [], ...options } = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    splitting: true,
    shims: true,
    ...(bundle.length > 0
      ? { noExternal: bundle.map((name) => new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(/|$)`)) }
      : {}),
    onSuccess: bundle.length > 0 ? () => copyLicences(bundle) : undefined,
    ...shared,
    ...options,
  });
}

async function copyLicences(names) {
  const require = createRequire(join(process.cwd(), 'package.json'));
  for (const name of names) {
    const target = join(process.cwd(), 'dist/third-party', name, 'LICENSE');
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(dirname(require.resolve(`${name}/package.json`)), 'LICENSE'), target);
  }
}

/**
 * An app that is run, not imported: `src/main.ts` as ESM, no declarations. Workspace packages
 * stay external: they are built on their own and resolved at run time.
 */
export function appConfig(options = {}) {
  return defineConfig({ entry: ['src/main.ts'], format: ['esm'], ...shared, ...options });
}
