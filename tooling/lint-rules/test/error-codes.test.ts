import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KeepwatchError, retiredCodes } from '@keepwatch/errors';
import { codeProblems, codesOf, type ErrorClass, errorClassesOf } from '@keepwatch/test-support/error-classes';
import { beforeAll, describe, expect, it } from 'vitest';

/*
 * One KW_ code means one thing across the whole tree, for good: scripts and alerts match on it.
 * Each package's own test (`describeErrorClasses`) checks its classes; this one checks them all
 * together, as only a test that sees every package and app can. It finds the modules that
 * declare codes (`static readonly code`) in every `src/`, imports each, and fails on a code two
 * classes share, a retired code, a code declared outside the package that owns its prefix, or a
 * code written out anywhere but in its class.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Who owns the codes that start so: the package (or app) that throws them. Longest prefix wins. */
const owners: Record<string, string> = {
  KW_BACKUP_: 'packages/backup',
  KW_CONFIG_: 'packages/config',
  KW_DATA_DIR_: 'packages/config',
  KW_SECRET_: 'packages/config',
  KW_HEALTH_: 'packages/health',
  KW_JOB_PAYLOAD_: 'packages/jobs',
  KW_JOB_QUEUE_: 'apps/server',
  KW_METRICS_: 'packages/metrics',
  KW_PROFILE_: 'packages/profiler',
  KW_PROFILER_: 'packages/profiler',
  KW_RUNTIME_: 'packages/runtime',
  KW_USAGE: 'packages/runtime',
  KW_SERVER_: 'apps/server',
};

/** `KW_` names in the sources that are not error codes, and why. */
const notCodes: Record<string, string> = {
  KW_TARGET_PASSWORD: 'the environment variable `keepwatch backup restore` reads the target password from',
};

/** Files outside the error classes' own that may write a code out, and why. */
const mayNameCodes: Record<string, string> = {
  'packages/config/src/instance-secret.ts': 'it picks which of SecretFileError.codes to throw',
};

interface SourceFile {
  /** Relative to the root, `/`-separated. */
  path: string;
  /** `packages/<name>` or `apps/<name>`. */
  unit: string;
  /** The code, comments left out. */
  code: string;
}

/** The `.ts` files under `dir`, recursively. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The `.ts` files of every package's and app's `src/`. */
function sourceFiles(): SourceFile[] {
  const out: SourceFile[] = [];
  for (const group of ['packages', 'apps']) {
    for (const unit of readdirSync(join(root, group))) {
      let files: string[];
      try {
        files = tsFiles(join(root, group, unit, 'src'));
      } catch {
        continue; // no src/
      }
      for (const file of files) {
        const code = readFileSync(file, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/(^|[^:])\/\/.*$/gm, '$1');
        out.push({ path: relative(root, file), unit: `${group}/${unit}`, code });
      }
    }
  }
  return out;
}

const kwNames = (text: string): string[] => [...text.matchAll(/\bKW_[A-Z][A-Z0-9_]*\b/g)].map(([name]) => name);

/** The codes a file declares as a class's `static readonly code` or `codes`. */
const declaredCodes = (code: string): string[] =>
  [...code.matchAll(/static readonly codes?\b[^=]*=\s*(\[[^\]]*\]|'[^']*')/g)].flatMap(([, value]) => kwNames(value!));

const ownerOf = (code: string): string | undefined =>
  Object.entries(owners)
    .filter(([prefix]) => code.startsWith(prefix))
    .sort(([a], [b]) => b.length - a.length)[0]?.[1];

describe('error codes across every package and app', () => {
  const files = sourceFiles();
  const errorFiles = files.filter((file) => declaredCodes(file.code).length > 0);
  /** Every exported error class of every module that declares codes, by `<file>#<name>`. */
  const classes = new Map<string, ErrorClass>();

  beforeAll(async () => {
    for (const file of errorFiles) {
      const module = (await import(pathToFileURL(join(root, file.path)).href)) as Record<string, unknown>;
      for (const [name, cls] of errorClassesOf(module)) classes.set(`${file.path}#${name}`, cls);
    }
  });

  it('finds the error modules of the packages and apps', () => {
    const units = new Set(errorFiles.map((file) => file.unit));
    for (const unit of ['packages/backup', 'packages/config', 'packages/health', 'apps/server']) {
      expect(units, unit).toContain(unit);
    }
    for (const cls of classes.values()) expect(cls.prototype).toBeInstanceOf(KeepwatchError);
  });

  it('gives every class a KW_ code of its own, shared with no other class anywhere, and never a retired one', () => {
    expect(codeProblems(classes)).toEqual([]);
  });

  it('declares each code in an exported class of the package that owns its prefix', () => {
    const exported = new Set([...classes.values()].flatMap(codesOf));
    const problems = errorFiles.flatMap((file) =>
      declaredCodes(file.code).flatMap((code) => {
        const owner = ownerOf(code);
        return [
          ...(exported.has(code) ? [] : [`${code} in ${file.path} is no exported class's`]),
          ...(owner === undefined ? [`${code} in ${file.path}: no package owns its prefix (owners in this test)`] : []),
          ...(owner !== undefined && owner !== file.unit ? [`${code} is ${owner}'s, declared in ${file.path}`] : []),
        ];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('writes a code out only in its class: elsewhere code uses the class (X.code, instanceof X)', () => {
    const stray = files
      .filter((file) => declaredCodes(file.code).length === 0 && !Object.hasOwn(mayNameCodes, file.path))
      .flatMap((file) =>
        kwNames(file.code)
          .filter((name) => !Object.hasOwn(notCodes, name))
          .map((name) => `${name} in ${file.path}`),
      );
    expect([...new Set(stray)]).toEqual([]);
  });

  it('names no KW_ code anywhere that no class carries', () => {
    const known = new Set([...classes.values()].flatMap(codesOf));
    const stray = files.flatMap((file) =>
      kwNames(file.code)
        .filter((name) => !known.has(name) && !Object.hasOwn(retiredCodes, name) && !Object.hasOwn(notCodes, name))
        .map((name) => `${name} in ${file.path}`),
    );
    expect([...new Set(stray)]).toEqual([]);
  });

  it('catches a shared code, a retired code and a class without a code (the check itself)', () => {
    class First extends KeepwatchError<'KW_TEST_SHARED'> {
      static readonly code = 'KW_TEST_SHARED';
    }
    class Second extends KeepwatchError<'KW_TEST_SHARED'> {
      static readonly code = 'KW_TEST_SHARED';
    }
    class Old extends KeepwatchError<'KW_TEST_OLD'> {
      static readonly code = 'KW_TEST_OLD';
    }
    class Nameless extends KeepwatchError {}
    const problems = codeProblems(
      new Map<string, ErrorClass>([
        ['a.First', First],
        ['b.Second', Second],
        ['c.Old', Old],
        ['d.Nameless', Nameless],
      ]),
      { KW_TEST_OLD: 'what it meant; retired in a test' },
    );
    expect(problems).toEqual([
      'c.Old: KW_TEST_OLD is retired (what it meant; retired in a test)',
      'd.Nameless names no code (static readonly code)',
      'KW_TEST_SHARED is the code of a.First and b.Second',
    ]);
  });
});
