import { BackupIdError, BackupOptionsError, isValidSourceName } from '@keepwatch/backup';
import type { KeepwatchConfig } from '@keepwatch/config';
import { UsageError, backupDestinationFromConfig, backupSourcesFromConfig } from '@keepwatch/runtime';
import type { CommandContext } from '../command.js';

/**
 * Runs a backup command's body and turns the package's "you asked for something impossible"
 * errors (a bad option, a malformed id, an unusable `--target`) into exit code 2. Every other
 * failure stays an error: exit 1 with its message.
 */
export async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof BackupOptionsError || error instanceof BackupIdError) throw new UsageError(error.message);
    throw error;
  }
}

/** The sources a command may name; `database` exists as a name even while `[database] url` is unset. */
export const knownSources = ['database'] as const;

/** `--source NAME`, checked against the sources keepwatch knows. */
export function sourceOption(values: CommandContext['values'], fallback: string | undefined): string | undefined {
  const source = typeof values.source === 'string' ? values.source : fallback;
  if (source === undefined) return undefined;
  if (!isValidSourceName(source) || !(knownSources as readonly string[]).includes(source)) {
    throw new UsageError(`unknown backup source ${JSON.stringify(source.slice(0, 100))}; sources: ${knownSources.join(', ')}`);
  }
  return source;
}

/** The one positional argument a command takes (the backup id), or a usage error naming it. */
export function onePositional(context: CommandContext, name: string): string {
  const [value, ...rest] = context.positionals;
  if (value === undefined) throw new UsageError(`missing <${name}>`);
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0]!.slice(0, 100))}`);
  return value;
}

export function noPositionals(context: CommandContext): void {
  if (context.positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(context.positionals[0]!.slice(0, 100))}`);
  }
}

export function stringOption(values: CommandContext['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The destination and sources of `[backup]` and `[database]`; the destination is read-only until a backup runs. */
export function backupSetup(config: Readonly<KeepwatchConfig>) {
  return { destination: backupDestinationFromConfig(config), sources: backupSourcesFromConfig(config) };
}

/** A message on stderr in the entry point's form, for failures the command reports itself. */
export function fail(context: CommandContext, message: string): number {
  context.stderr.write(`keepwatch: ${message}\n`);
  return 1;
}

/** Aborted on Ctrl-C or SIGTERM, so the tools stop and the temporary file is removed. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = (name: NodeJS.Signals) => controller.abort(new Error(`interrupted by ${name}`));
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    },
  };
}
