import { KeepwatchError, retiredCodes } from '@keepwatch/errors';
import { describe, expect, it } from 'vitest';

/** An error class as the checks read it: its code named once, statically (see `KeepwatchError`). */
export interface ErrorClass {
  readonly name: string;
  readonly prototype: object;
  readonly code?: string;
  /** For a class that takes one of a few codes (the caller picks). */
  readonly codes?: readonly string[];
}

/** The codes a class declares: its `static code`, or each of its `static codes`. */
export function codesOf(errorClass: ErrorClass): string[] {
  if (errorClass.codes) return [...errorClass.codes];
  return errorClass.code === undefined ? [] : [errorClass.code];
}

/**
 * Every error class among a module's exports, by export name: the functions whose prototype
 * extends `KeepwatchError`, leaving out the abstract bases (a class without a code of its own
 * that another exported class extends, like backup's `BackupError`).
 */
export function errorClassesOf(exports: Record<string, unknown>): Map<string, ErrorClass> {
  const all = Object.entries(exports).filter(
    (entry): entry is [string, ErrorClass] =>
      typeof entry[1] === 'function' && entry[1].prototype instanceof KeepwatchError,
  );
  const isBase = (cls: ErrorClass) =>
    codesOf(cls).length === 0 &&
    all.some(([, other]) => other !== cls && Object.prototype.isPrototypeOf.call(cls.prototype, other.prototype));
  return new Map(all.filter(([, cls]) => !isBase(cls)));
}

/**
 * What is wrong with a set of error classes' codes, one line each (none: all is well): a class
 * without a code, a code that is not `KW_` and capitals, a code two classes share, a retired code.
 */
export function codeProblems(
  classes: ReadonlyMap<string, ErrorClass>,
  retired: Readonly<Record<string, string>> = retiredCodes,
): string[] {
  const problems: string[] = [];
  const owners = new Map<string, string[]>();
  for (const [name, cls] of classes) {
    const codes = codesOf(cls);
    if (codes.length === 0) problems.push(`${name} names no code (static readonly code)`);
    for (const code of codes) {
      if (!/^KW_[A-Z][A-Z0-9_]*$/.test(code)) problems.push(`${name}: ${JSON.stringify(code)} is not a KW_ code`);
      if (Object.hasOwn(retired, code)) problems.push(`${name}: ${code} is retired (${retired[code]})`);
      owners.set(code, [...(owners.get(code) ?? []), name]);
    }
  }
  for (const [code, names] of owners) {
    if (names.length > 1) problems.push(`${code} is the code of ${names.join(' and ')}`);
  }
  return problems;
}

export interface ErrorClassesSpec {
  /** The package's entry point: `import * as api from '../src/index.js'`. */
  api: Record<string, unknown>;
  /** The modules that define its error classes (`../src/errors.js`, …): each class must be in `api`. */
  defined: Record<string, unknown>[];
  /** One error per class and code, built as the package throws it. */
  samples: readonly KeepwatchError[];
  /** What the package's codes start with, e.g. `/^KW_HEALTH_/`. */
  prefix: RegExp;
}

/**
 * The checks every package's error classes pass (like fastify's errors test): each is exported,
 * extends `KeepwatchError` and names its code; codes are unique, the package's own and never
 * retired; each sample carries its class's code and name. A package's `test/errors.test.ts` is
 * one call; a new class fails it until it has a sample.
 */
export function describeErrorClasses(label: string, spec: ErrorClassesSpec): void {
  describe(`${label} error classes`, () => {
    const exported = errorClassesOf(spec.api);

    it('are all exported by the package, each extending KeepwatchError', () => {
      for (const module of spec.defined) {
        for (const [name, cls] of errorClassesOf(module)) {
          expect(spec.api[name], `${name} is not exported by the package`).toBe(cls);
        }
      }
      expect(exported.size, 'no error class exported').toBeGreaterThan(0);
    });

    it(`each name ${spec.prefix.source.replace(/^\^/, '')}… codes of their own, unique and never retired`, () => {
      expect(codeProblems(exported)).toEqual([]);
      for (const [name, cls] of exported) {
        for (const code of codesOf(cls)) expect(code, name).toMatch(spec.prefix);
      }
    });

    it('carry their class’s code and name, one sample per code', () => {
      const sampled = new Set<string>();
      for (const error of spec.samples) {
        const cls = exported.get(error.name);
        expect(cls, `sample ${error.name} is not an exported error class`).toBeDefined();
        expect(error).toBeInstanceOf(KeepwatchError);
        expect(error.constructor, error.name).toBe(cls);
        expect(codesOf(cls!), error.name).toContain(error.code);
        expect(error.message.length, error.name).toBeGreaterThan(0);
        expect(JSON.parse(JSON.stringify(error))).toEqual({
          name: error.name,
          code: error.code,
          message: error.message,
        });
        sampled.add(`${error.name} ${error.code}`);
      }
      const wanted = [...exported].flatMap(([name, cls]) => codesOf(cls).map((code) => `${name} ${code}`));
      expect([...sampled].sort(), 'one sample per class and code').toEqual(wanted.sort());
    });
  });
}
