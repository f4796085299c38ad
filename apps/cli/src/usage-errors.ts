import { isKeepwatchError } from '@keepwatch/errors';
import { UsageError } from '@keepwatch/runtime/main';
import type { Command } from './command.js';

/** The command's operand among the arguments after its words, or a usage error naming what is missing or too many. */
export function operandOf(command: Command, positionals: readonly string[]): string | undefined {
  const [first, ...rest] = positionals;
  const unexpected = command.operand === undefined ? first : rest[0];
  if (unexpected !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(unexpected.slice(0, 100))}`);
  if (command.operand !== undefined && first === undefined) throw new UsageError(`missing <${command.operand}>`);
  return first;
}

/**
 * The packages' "you asked for something impossible" errors (a bad option, a malformed id, an
 * unusable `--target`, `--url-name` with `--task`, a `--since` that is no time) as usage errors,
 * exit code 2. Every other failure stays an error: exit 1 with its message.
 */
export async function asUsageError(error: unknown): Promise<unknown> {
  if (!isKeepwatchError(error)) return error;
  // Loaded only for a failure: a command that needs neither package does not pay for it.
  const [{ BackupIdError, BackupOptionsError }, { ProfileFilterConflictError, ProfileFilterError }] = await Promise.all(
    [import('@keepwatch/backup'), import('@keepwatch/profiler')],
  );
  if (error instanceof BackupOptionsError || error instanceof BackupIdError) return new UsageError(error.message);
  // The package names the query's fields; a person at the shell needs the flags.
  if (error instanceof ProfileFilterConflictError) return new UsageError('give --url-name or --task, not both');
  // The field is the flag without its dashes; the CLI checks its count flags itself, so in
  // practice this is `--since`.
  if (error instanceof ProfileFilterError) return new UsageError(`--${error.field}: ${error.problem}`);
  return error;
}
