import type { ParseArgsConfig } from 'node:util';
import type { LoadedConfig } from '@keepwatch/config';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  /** Parsed options of the command (plus `config`, `json`). */
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Loads the config named by `--config` / `KEEPWATCH_CONFIG` and the environment. */
  loadConfig(): Promise<LoadedConfig>;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  json: boolean;
}

export interface Command {
  /** Words that select it, e.g. `['config', 'check']`. */
  words: readonly string[];
  summary: string;
  /** Shown after the words in help, e.g. `<id> --target URL`. */
  args?: string;
  options?: OptionSpec;
  /** Returns the exit code: 0 done, 1 failed (2, bad usage, comes from UsageError). */
  run(context: CommandContext): Promise<number>;
}
