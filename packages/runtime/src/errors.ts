import { KeepwatchError } from '@keepwatch/errors';

/** The command line is wrong; the message says which option. Exit code 2. */
export class UsageError extends KeepwatchError<'KW_USAGE'> {
  static readonly code = 'KW_USAGE';
  constructor(message: string) {
    super(UsageError.code, message);
  }
}
