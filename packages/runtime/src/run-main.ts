import { ConfigError, ConfigFileError } from '@keepwatch/config';
import { isKeepwatchError, errorMessage } from '@keepwatch/errors';
import { UsageError } from './errors.js';

/** Exit codes every keepwatch entry point keeps: scripts depend on them. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Runs an entry point's main function and turns what it throws into a message on stderr and an
 * exit code: a usage error is 2, a bad config or any other failure 1. A config error is one line
 * naming the key, or a line per problem when there are several.
 *
 * A main that failed ends the process once its message is written: whatever it opened before it
 * failed (a Redis client that reconnects forever, a pool) would otherwise keep it alive doing
 * nothing, as the server did after refusing its metrics options.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: an app's main may end without a code (async () => {}), meaning success
export function runMain(name: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (error: unknown) => {
      const code = report(name, error);
      // stderr is synchronous for files, pipes and terminals on Linux: the message is out.
      process.exit(code);
    },
  );
}

function report(name: string, error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`${name}: ${error.message}\nTry '${name} --help'.\n`);
    return ExitCode.usage;
  }
  if (error instanceof ConfigError) {
    const problems = error.message.split('\n').slice(1);
    if (problems.length === 1) {
      process.stderr.write(`${name}: the configuration is invalid: ${problems[0]!.trim()}\n`);
    } else {
      process.stderr.write(`${name}: the configuration is invalid:\n`);
      for (const line of problems) process.stderr.write(`${line}\n`);
    }
    return ExitCode.failed;
  }
  if (error instanceof ConfigFileError || isKeepwatchError(error)) {
    process.stderr.write(`${name}: ${errorMessage(error)}\n`);
  } else {
    // Bad input never gets here (it is a KeepwatchError naming what to fix): this is a bug, and
    // its stack is what a bug report needs.
    process.stderr.write(`${name}: unexpected error: ${(error as Error)?.stack ?? errorMessage(error)}\n`);
  }
  return ExitCode.failed;
}
