/**
 * The part of a pino logger the profiler uses. A structural type rather than pino's own, so the
 * package does not need pino installed and any pino-compatible logger fits.
 */
export interface ProfilerLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export const silentLogger: ProfilerLogger = {
  warn() {},
  debug() {},
};
