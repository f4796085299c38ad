import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bareImports, distClosure } from '../src/dist-closure.js';
import { publishablePackages, rootDir } from '../src/workspace.js';

const framework = /^fastify(-plugin)?(\/|$)/;

// The built files as published, each with the chunks it loads: the ESM and CommonJS code and
// both declaration flavours. A root entry (and an adapter that is not Fastify's) that names
// fastify makes an Express or node:http service load fastify-plugin, or fail to type-check
// without fastify installed (TS2307).
const frameworkFree = [
  'packages/metrics/dist/index',
  'packages/metrics/dist/express',
  'packages/metrics/dist/node-http',
  'packages/health/dist/index',
  'packages/profiler/dist/index',
];
const flavours = ['.js', '.cjs', '.d.ts', '.d.cts'];

describe('entry points', () => {
  for (const entry of frameworkFree) {
    for (const flavour of flavours) {
      it(`${entry}${flavour} and its chunks import no fastify`, () => {
        const files = distClosure(join(rootDir, `${entry}${flavour}`));
        expect([...bareImports(files)].filter((name) => framework.test(name))).toEqual([]);
      });
    }
  }

  // The same check, shown to find what it looks for.
  for (const entry of [
    'packages/metrics/dist/fastify',
    'packages/profiler/dist/fastify',
    'packages/health/dist/fastify',
  ]) {
    it(`${entry} does import fastify-plugin (the check sees an import)`, () => {
      for (const flavour of ['.js', '.cjs']) {
        expect(bareImports(distClosure(join(rootDir, `${entry}${flavour}`)))).toContain('fastify-plugin');
      }
      expect(bareImports(distClosure(join(rootDir, `${entry}.d.ts`)))).toContain('fastify');
    });
  }
});

// @keepwatch/backup's core receives its lock and settings: the queue and Redis glue is its
// `./bullmq` entry, so a service that only backs up loads none of them (issue 18).
const queueGlue = /^(bullmq|ioredis|@keepwatch\/(jobs|config))(\/|$)/;

describe('@keepwatch/backup entry points', () => {
  for (const flavour of flavours) {
    it(`packages/backup/dist/index${flavour} and its chunks import no bullmq, ioredis, @keepwatch/jobs or config`, () => {
      const files = distClosure(join(rootDir, `packages/backup/dist/index${flavour}`));
      expect([...bareImports(files)].filter((name) => queueGlue.test(name))).toEqual([]);
    });
  }

  it('packages/backup/dist/bullmq does import them (the check sees an import)', () => {
    for (const flavour of ['.js', '.cjs']) {
      const names = bareImports(distClosure(join(rootDir, `packages/backup/dist/bullmq${flavour}`)));
      expect([...names].filter((name) => queueGlue.test(name)).sort()).toEqual(['@keepwatch/jobs', 'bullmq']);
    }
    const declared = bareImports(distClosure(join(rootDir, 'packages/backup/dist/bullmq.d.ts')));
    expect([...declared].filter((name) => queueGlue.test(name)).sort()).toEqual(['bullmq', 'ioredis']);
  });
});

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

describe('what the built packages import', () => {
  const builtins = new Set(builtinModules);
  for (const pkg of publishablePackages()) {
    // A bundled package (zod/mini in metrics, health and profiler) is no import; one that was
    // meant to be bundled but is imported would fail in an install without it.
    it(`${pkg.manifest.name} imports only Node's modules and what it declares`, () => {
      const dist = join(pkg.path, 'dist');
      const files = readdirSync(dist)
        .filter((file) => /\.(c?js|d\.c?ts)$/.test(file))
        .map((file) => join(dist, file));
      const declared = new Set([
        ...Object.keys(pkg.manifest.dependencies ?? {}),
        ...Object.keys(pkg.manifest.peerDependencies ?? {}),
      ]);
      const undeclared = [...bareImports(files)]
        .filter((name) => !name.startsWith('node:') && !builtins.has(name))
        .filter((name) => !declared.has(packageOf(name)));
      expect(undeclared).toEqual([]);
    });
  }
});
