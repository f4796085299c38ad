import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

export interface ProcessArgs {
  /** `--config PATH`; unset: `KEEPWATCH_CONFIG`, else defaults and environment only. */
  config: string | undefined;
  help: boolean;
  version: boolean;
}

const options = {
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'V', default: false },
} satisfies ParseArgsConfig['options'];

/** The arguments the server and the worker take (the CLI adds its own per command). */
export function parseProcessArgs(argv: string[]): ProcessArgs {
  try {
    const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    return { config: values.config, help: values.help, version: values.version };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
