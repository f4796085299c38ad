import type { CommandContext } from './command.js';

/** The value of a string option, or undefined when it was not given. */
export function stringOption(values: CommandContext['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
