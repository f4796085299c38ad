import { ConfigError, ConfigFileError } from '@keepwatch/config';
import { isKeepwatchError, errorMessage } from '@keepwatch/errors';
import { UsageError } from './errors.js';

/** Exit codes every keepwatch entry point keeps: scripts depend on them. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Runs an entry point's main function and turns what it throws into a message on stderr and an
 * exit code: a usage error is 2, a bad config or any other failure 1. A config error prints one
 * line per problem, as the operator has to fix each of them.
 */
export function runMain(name: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${name}: ${error.message}\nTry '${name} --help'.\n`);
        process.exitCode = ExitCode.usage;
        return;
      }
      if (error instanceof ConfigError) {
        process.stderr.write(`${name}: the configuration is invalid:\n`);
        for (const line of error.message.split('\n').slice(1)) process.stderr.write(`${line}\n`);
        process.exitCode = ExitCode.failed;
        return;
      }
      if (error instanceof ConfigFileError || isKeepwatchError(error)) {
        process.stderr.write(`${name}: ${errorMessage(error)}\n`);
      } else {
        process.stderr.write(`${name}: unexpected error: ${(error as Error)?.stack ?? errorMessage(error)}\n`);
      }
      process.exitCode = ExitCode.failed;
    },
  );
}
