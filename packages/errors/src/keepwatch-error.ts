/**
 * Marks a keepwatch error whichever copy of this package made it. A process can hold two: the
 * ESM build (`import`) and the CommonJS build (`require`) are separate modules with separate
 * classes (the dual-package hazard), e.g. a CommonJS app that requires `@keepwatch/metrics`
 * next to an ESM tool that imports `@keepwatch/errors`. `Symbol.for` gives every copy the same
 * symbol.
 */
const brand = Symbol.for('keepwatch.error');

/**
 * The one base class of every error keepwatch throws on purpose.
 *
 * `code` is stable and never reused for another meaning once published (like fastify's
 * `FST_ERR_*`), so scripts and alerts can match on it; the message is for a person and names
 * what to fix (the config key, the header, the path). The original failure, when there is one,
 * is kept as the standard `cause`.
 *
 * `error instanceof KeepwatchError` holds for an error of any copy of this package (see
 * `brand`); `instanceof` a subclass is the ordinary prototype check.
 *
 * A subclass names its code once, as `static readonly code` (or `static readonly codes` when the
 * caller picks one of a few), and passes it to `super`: a test then reads every code of a package
 * from its exported classes, without building an error of each.
 */
export class KeepwatchError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }

  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    // `this` is the class right of `instanceof`: every copy's own KeepwatchError answers by the
    // brand; a subclass (which inherits this method) by its prototype chain, as `instanceof`
    // does without it.
    // biome-ignore lint/complexity/noThisInStatic: `this` says which class was asked; `KeepwatchError` would not.
    if ((this as unknown) === KeepwatchError) return hasBrand(value);
    // biome-ignore lint/complexity/noThisInStatic: as above.
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  toJSON(): { name: string; code: Code; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

Object.defineProperty(KeepwatchError.prototype, brand, { value: true });

function hasBrand(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;
}

/** True for any keepwatch error, also across copies of this package in one process. */
export function isKeepwatchError(value: unknown): value is KeepwatchError {
  if (hasBrand(value)) return true;
  // Any other error that carries a KW_ code is one too (an error copied field by field).
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('KW_');
}
