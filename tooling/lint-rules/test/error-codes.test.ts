import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as backup from '@keepwatch/backup';
import * as config from '@keepwatch/config';
import { KeepwatchError, retiredCodes } from '@keepwatch/errors';
import * as health from '@keepwatch/health';
import * as jobs from '@keepwatch/jobs';
import * as metrics from '@keepwatch/metrics';
import * as profiler from '@keepwatch/profiler';
import * as runtime from '@keepwatch/runtime';
import { codeProblems, codesOf, type ErrorClass, errorClassesOf } from '@keepwatch/test-support/error-classes';
import { describe, expect, it } from 'vitest';
import * as serverErrors from '../../../apps/server/src/errors.js';
import * as serverListenError from '../../../apps/server/src/listen-error.js';

/*
 * One KW_ code means one thing across the whole tree, for good: scripts and alerts match on it.
 * Each package's own test (`describeErrorClasses`) checks its classes; this one checks them all
 * together, as only a test that imports every package can: no code is shared between two
 * packages, none is retired, and no KW_ name in any package's or app's source lacks a class.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the error classes are: each package's public entry, and the apps' error modules. */
const sources: Record<string, Record<string, unknown>> = {
  '@keepwatch/backup': backup,
  '@keepwatch/config': config,
  '@keepwatch/health': health,
  '@keepwatch/jobs': jobs,
  '@keepwatch/metrics': metrics,
  '@keepwatch/profiler': profiler,
  '@keepwatch/runtime': runtime,
  'apps/server': { ...serverErrors, ...serverListenError },
};

/** `KW_` names in the sources that are not error codes, and why. */
const notCodes: Record<string, string> = {
  KW_TARGET_PASSWORD: 'the environment variable `keepwatch backup restore` reads the target password from',
};

/** Files outside the error classes' own that may write a code out, and why. */
const mayNameCodes: Record<string, string> = {
  'packages/config/src/instance-secret.ts': 'it picks which of SecretFileError.codes to throw',
};

/** Every error class of the tree once (a class re-exported by another package counts once), by `<where>.<name>`. */
function allClasses(): Map<string, ErrorClass> {
  const seen = new Set<ErrorClass>();
  const classes = new Map<string, ErrorClass>();
  for (const [where, exports] of Object.entries(sources)) {
    for (const [name, cls] of errorClassesOf(exports)) {
      if (seen.has(cls)) continue;
      seen.add(cls);
      classes.set(`${where}.${name}`, cls);
    }
  }
  return classes;
}

/** The `.ts` files under `dir`, recursively. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

interface SourceFile {
  /** Relative to the root. */
  path: string;
  /** The code, comments left out. */
  code: string;
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
        out.push({ path: relative(root, file), code });
      }
    }
  }
  return out;
}

const kwNames = (text: string): string[] => [...text.matchAll(/\bKW_[A-Z][A-Z0-9_]*\b/g)].map(([name]) => name);

/** The codes a file declares as a class's `static readonly code` or `codes`. */
const declaredCodes = (code: string): string[] =>
  [...code.matchAll(/static readonly codes?\b[^=]*=\s*(\[[^\]]*\]|'[^']*')/g)].flatMap(([, value]) => kwNames(value!));

describe('error codes across every package and app', () => {
  const classes = allClasses();

  it('sees the classes of every package and app', () => {
    const where = new Set([...classes.keys()].map((key) => key.slice(0, key.lastIndexOf('.'))));
    expect([...where].sort()).toEqual(Object.keys(sources).sort());
    for (const cls of classes.values()) expect(cls.prototype).toBeInstanceOf(KeepwatchError);
  });

  it('gives every class a KW_ code of its own, shared with no other class anywhere, and never a retired one', () => {
    expect(codeProblems(classes)).toEqual([]);
  });

  const files = sourceFiles();
  const known = new Set([...classes.values()].flatMap(codesOf));

  it('declares each code in one class only, and in a class this test sees', () => {
    const declaredIn = new Map<string, string[]>();
    for (const file of files) {
      for (const code of declaredCodes(file.code)) declaredIn.set(code, [...(declaredIn.get(code) ?? []), file.path]);
    }
    const problems = [...declaredIn].flatMap(([code, paths]) => [
      ...(paths.length > 1 ? [`${code} is declared in ${paths.join(' and ')}`] : []),
      ...(known.has(code)
        ? []
        : [`${code} is declared in ${paths.join(', ')}, in no class exported where this test looks`]),
    ]);
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
