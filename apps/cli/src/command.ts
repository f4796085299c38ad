import type { ParseArgsConfig } from 'node:util';
import type { LoadedConfig } from '@keepwatch/config';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  /** Parsed options of the command (plus `config`, `json`). */
  values: Record<string, string | boolean | string[] | undefined>;
  /** The argument named by `Command.operand`; dispatch has made sure it is there. Else undefined. */
  operand: string | undefined;
  /** Loads the config named by `--config` / `KEEPWATCH_CONFIG` and the environment. */
  loadConfig(): Promise<LoadedConfig>;
  /** The process's environment: what the tools a command runs start from. */
  env: Readonly<Record<string, string | undefined>>;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Aborted on Ctrl-C or SIGTERM while an `interruptible` command runs; never for any other. */
  signal: AbortSignal;
  /** Writes the result: as JSON with `--json`, else as `human(value)` says it. */
  print<T>(value: T, human: (value: T) => string): void;
  /** For a failure the command reports itself: the message on stderr as the entry point writes one; returns exit code 1. */
  fail(message: string): number;
}

export interface Command {
  /** Words that select it, e.g. `['config', 'check']`. */
  words: readonly string[];
  summary: string;
  /** Shown after the words in help, e.g. `<id> --target URL`. */
  args?: string;
  options?: OptionSpec;
  /** The name of the one argument it takes after its words (`id`); without it, it takes none. */
  operand?: string;
  /**
   * Ctrl-C and SIGTERM abort `context.signal` instead of ending the process, so the tools it
   * runs stop and what it was writing is removed. Only for commands that pass the signal on:
   * for any other, the first Ctrl-C would do nothing.
   */
  interruptible?: boolean;
  /** Returns the exit code: 0 done, 1 failed (2, bad usage, comes from UsageError). */
  run(context: CommandContext): Promise<number>;
}

/**
 * A command as `keepwatch` lists it: its words, to pick it without loading it, and its module,
 * loaded only when it runs (or when the help lists every command). A command's imports are its
 * own: `keepwatch backup list` loads no Redis or database client.
 */
export interface CommandEntry {
  /** The words of the command `load` returns (checked by a test). */
  words: readonly string[];
  load(): Promise<Command>;
}
