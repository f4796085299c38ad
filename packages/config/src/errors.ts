import { KeepwatchError } from '@keepwatch/errors';
import type { ConfigProblem } from './config-problem.js';
import { formatProblem } from './config-problem.js';

/**
 * How many problems a `ConfigError`'s message lists; `problems` holds them all. A file of junk
 * has one problem per line, and 130 000 lines of them help nobody.
 */
export const MAX_LISTED_PROBLEMS = 20;

/** One or more settings are wrong; `problems` lists every one, each naming its key and origin. */
export class ConfigError extends KeepwatchError<'KW_CONFIG_INVALID'> {
  static readonly code = 'KW_CONFIG_INVALID';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const lines = problems.slice(0, MAX_LISTED_PROBLEMS).map(formatProblem);
    if (problems.length > MAX_LISTED_PROBLEMS) lines.push(`… and ${problems.length - MAX_LISTED_PROBLEMS} more`);
    super(
      ConfigError.code,
      `${problems.length === 1 ? 'a setting is' : `${problems.length} settings are`} invalid:\n${lines.map((l) => `  ${l}`).join('\n')}`,
    );
    this.problems = Object.freeze([...problems]);
  }
}

/** The config file named by `--config` or `KEEPWATCH_CONFIG` cannot be read. */
export class ConfigFileError extends KeepwatchError<'KW_CONFIG_FILE_UNREADABLE'> {
  static readonly code = 'KW_CONFIG_FILE_UNREADABLE';
  readonly path: string;

  /** `reason` defaults to the error code of `cause` (ENOENT, EACCES). */
  constructor(path: string, cause: unknown, reason?: string) {
    const why = reason ?? (cause as NodeJS.ErrnoException | undefined)?.code ?? 'unreadable';
    super(ConfigFileError.code, `cannot read the config file ${path} (${why})`, { cause });
    this.path = path;
  }
}

/** The config file is larger than any config: most likely the wrong file (or /dev/zero). */
export class ConfigFileTooLargeError extends KeepwatchError<'KW_CONFIG_FILE_TOO_LARGE'> {
  static readonly code = 'KW_CONFIG_FILE_TOO_LARGE';
  readonly path: string;

  constructor(path: string, limitBytes: number) {
    super(
      ConfigFileTooLargeError.code,
      `the config file ${path} is larger than ${limitBytes / 1024 / 1024} MiB; a keepwatch config is a few KB: is it the right file?`,
    );
    this.path = path;
  }
}

/** The data directory cannot be created or is not a directory keepwatch may write to. */
export class DataDirError extends KeepwatchError<'KW_DATA_DIR_UNUSABLE'> {
  static readonly code = 'KW_DATA_DIR_UNUSABLE';
  readonly path: string;

  constructor(path: string, reason: string, cause?: unknown) {
    super(DataDirError.code, `the data directory ${path} ([data] dir) ${reason}`, { cause });
    this.path = path;
  }
}

type SecretFileCode = 'KW_SECRET_EMPTY' | 'KW_SECRET_UNREADABLE';

/**
 * The `.secret` file exists but cannot be used. It is never replaced automatically: a new secret
 * would invalidate every session and signed link made with the old one.
 */
export class SecretFileError extends KeepwatchError<SecretFileCode> {
  /** `KW_SECRET_EMPTY`: the file holds nothing; `KW_SECRET_UNREADABLE`: it cannot be read. */
  static readonly codes: readonly SecretFileCode[] = ['KW_SECRET_EMPTY', 'KW_SECRET_UNREADABLE'];
  readonly path: string;

  constructor(code: SecretFileCode, path: string, cause?: unknown) {
    const what =
      code === 'KW_SECRET_EMPTY'
        ? 'is empty'
        : `cannot be read (${(cause as NodeJS.ErrnoException | undefined)?.code ?? 'error'})`;
    super(
      code,
      `the secret file ${path} ${what}; keepwatch will not replace it, since a new secret signs out every user. ` +
        'Restore it from a backup, or delete it deliberately to generate a new one, or set [data] secret.',
      { cause },
    );
    this.path = path;
  }
}
