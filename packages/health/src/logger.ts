/** The part of a pino logger the package uses, so any pino-compatible logger fits. */
export interface HealthLogger {
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
}
