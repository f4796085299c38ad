export { DatabaseUrlError, UsageError } from './errors.js';
export { parseProcessArgs, type ProcessArgs } from './process-args.js';
export { runMain, ExitCode } from './run-main.js';
