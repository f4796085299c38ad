import { KeepwatchError } from '@keepwatch/errors';

/** Options given to the package that cannot work; the message lists every problem at once. */
export class MetricsOptionsError extends KeepwatchError<'KW_METRICS_OPTIONS_INVALID'> {
  constructor(what: string, problems: string[]) {
    super('KW_METRICS_OPTIONS_INVALID', `invalid ${what}: ${problems.join('; ')}`);
  }
}

/** A scrape could not read the shared store in time; `/metrics` answers 503 with this code. */
export class MetricsStoreUnavailableError extends KeepwatchError<'KW_METRICS_STORE_UNAVAILABLE'> {
  constructor(message: string, cause?: unknown) {
    super('KW_METRICS_STORE_UNAVAILABLE', message, { cause });
  }
}

/** The store was used after `close()`: observations would be lost silently otherwise. */
export class MetricsStoreClosedError extends KeepwatchError<'KW_METRICS_STORE_CLOSED'> {
  constructor(operation: string) {
    super('KW_METRICS_STORE_CLOSED', `metrics store is closed: cannot ${operation}`);
  }
}

/** Counting the rows of the application database failed; names the table, never the URL. */
export class ModelCountError extends KeepwatchError<'KW_METRICS_MODEL_COUNT_FAILED'> {
  constructor(message: string, cause?: unknown) {
    super('KW_METRICS_MODEL_COUNT_FAILED', message, { cause });
  }
}

/** Every error class of this package, for the test that keeps codes unique. */
export const metricsErrorClasses = [
  MetricsOptionsError,
  MetricsStoreUnavailableError,
  MetricsStoreClosedError,
  ModelCountError,
] as const;
