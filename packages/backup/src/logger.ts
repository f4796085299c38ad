/**
 * The slice of a pino logger this package uses, so a pino instance fits without this package
 * depending on pino. Objects come first, as in pino.
 */
export interface BackupLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** Used when no logger is passed: packages never write to the console. */
export const silentLogger: BackupLogger = { debug: noop, info: noop, warn: noop, error: noop };
