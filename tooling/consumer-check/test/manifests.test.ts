import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportTargets } from '../src/exports-map.js';
import { privatePackageNames, publishablePackages, rootDir } from '../src/workspace.js';

// The manifests as written in the workspace; what `pnpm pack` makes of them is checked by
// consumer.test.ts. Every package under packages/ is found, not listed, so a new one is held to
// the same scheme.
const packages = publishablePackages();
const rootLicense = readFileSync(join(rootDir, 'LICENSE'), 'utf8');

describe.each(packages.map((pkg) => [pkg.manifest.name, pkg] as const))('%s', (_name, pkg) => {
  const { manifest } = pkg;

  it('is MIT with the LICENSE in its tarball, and says where it comes from', () => {
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(join(pkg.path, 'LICENSE'), 'utf8')).toBe(rootLicense);
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'LICENSE']));
    expect(manifest.repository).toMatchObject({ type: 'git', directory: pkg.dir });
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/);
    expect(manifest.homepage).toContain(pkg.dir);
    expect(manifest.keywords).toContain('keepwatch');
    expect(manifest.publishConfig).toEqual({ access: 'public' });
  });

  it('exports ESM and CommonJS for every entry, each with its declarations, `source` first', () => {
    const targets = exportTargets(manifest.exports);
    expect(targets.map((target) => target.subpath)).toContain('.');
    for (const target of targets) {
      const base = target.subpath === '.' ? 'index' : target.subpath.slice(2);
      expect({ subpath: target.subpath, conditions: target.conditions }).toEqual({
        subpath: target.subpath,
        conditions: ['source', 'import', 'require'],
      });
      expect(target.source).toBe(`./src/${base}.ts`);
      expect(target.import).toEqual({
        conditions: ['types', 'default'],
        types: `./dist/${base}.d.ts`,
        default: `./dist/${base}.js`,
      });
      expect(target.require).toEqual({
        conditions: ['types', 'default'],
        types: `./dist/${base}.d.cts`,
        default: `./dist/${base}.cjs`,
      });
      for (const file of [
        target.source,
        target.import?.types,
        target.import?.default,
        target.require?.types,
        target.require?.default,
      ]) {
        expect(existsSync(join(pkg.path, file as string)), `${pkg.dir}/${file as string} exists (built?)`).toBe(true);
      }
    }
    expect(manifest.main).toBe('./dist/index.cjs');
    expect(manifest.module).toBe('./dist/index.js');
    expect(manifest.types).toBe('./dist/index.d.cts');
  });

  it('carries the licence of each package it bundles, and does not also depend on it', () => {
    const thirdParty = join(pkg.path, 'dist/third-party');
    const bundled = existsSync(thirdParty) ? readdirSync(thirdParty) : [];
    // esbuild marks each bundled module with its path (`// ../../node_modules/.pnpm/zod@4.6.7/…`),
    // and tsup bundles every devDependency that src imports, asked or not.
    const dist = join(pkg.path, 'dist');
    const built = new Set<string>();
    for (const file of readdirSync(dist).filter((name) => /\.c?js$/.test(name))) {
      for (const match of readFileSync(join(dist, file), 'utf8').matchAll(
        /^\/\/ \S*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//gm,
      )) {
        // tsup's own two-line shim for `import.meta.url` in the CommonJS build
        // (tsup/assets/cjs_shims.js) is not a bundled package: backup's version.ts uses it.
        if (match[1] === 'tsup') continue;
        built.add(match[1] as string);
      }
    }
    expect([...built].sort()).toEqual([...bundled].sort());
    const resolveFrom = createRequire(join(pkg.path, 'package.json'));
    for (const name of bundled) {
      const original = join(dirname(resolveFrom.resolve(`${name}/package.json`)), 'LICENSE');
      expect(readFileSync(join(thirdParty, name, 'LICENSE'), 'utf8')).toBe(readFileSync(original, 'utf8'));
      expect(Object.keys(manifest.dependencies ?? {})).not.toContain(name);
    }
  });

  it('depends on no private workspace package', () => {
    const privateNames = privatePackageNames();
    const runtime = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
    expect(Object.keys(runtime).filter((name) => privateNames.has(name))).toEqual([]);
  });
});
