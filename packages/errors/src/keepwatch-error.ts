/**
 * The one base class of every error keepwatch throws on purpose.
 *
 * `code` is stable and never reused for another meaning once published (like fastify's
 * `FST_ERR_*`), so scripts and alerts can match on it; the message is for a person and names
 * what to fix (the config key, the header, the path). The original failure, when there is one,
 * is kept as the standard `cause`.
 */
export class KeepwatchError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }

  toJSON(): { name: string; code: Code; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** True for any keepwatch error, also across copies of this package in one process. */
export function isKeepwatchError(value: unknown): value is KeepwatchError {
  if (value instanceof KeepwatchError) return true;
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('KW_');
}
