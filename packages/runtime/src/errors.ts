import { KeepwatchError } from '@keepwatch/errors';

/** The command line is wrong; the message says which option. Exit code 2. */
export class UsageError extends KeepwatchError<'KW_USAGE'> {
  static readonly code = 'KW_USAGE';
  constructor(message: string) {
    super(UsageError.code, message);
  }
}

/**
 * A database URL that no process could use the same way (`parseDatabaseUrl`'s verdict, as in
 * `keepwatch config check`): only a config built by hand gets here. Names the part, never the URL.
 */
export class DatabaseUrlError extends KeepwatchError<'KW_RUNTIME_DATABASE_URL_INVALID'> {
  static readonly code = 'KW_RUNTIME_DATABASE_URL_INVALID';
  constructor(problem: string) {
    super(DatabaseUrlError.code, `[database] url: ${problem}`);
  }
}
