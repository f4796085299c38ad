/**
 * The part of a pino logger this package calls. Any pino logger fits; without one the package
 * stays silent (it never calls `console`).
 */
export interface MetricsLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export const silentLogger: MetricsLogger = {
  info() {},
  warn() {},
  error() {},
};
