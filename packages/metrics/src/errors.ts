import { KeepwatchError } from '@keepwatch/errors';

/** Options given to the package that cannot work; the message lists every problem at once. */
export class MetricsOptionsError extends KeepwatchError<'KW_METRICS_OPTIONS_INVALID'> {
  static readonly code = 'KW_METRICS_OPTIONS_INVALID';
  constructor(what: string, problems: string[]) {
    super(MetricsOptionsError.code, `invalid ${what}: ${problems.join('; ')}`);
  }
}

/** A scrape could not read the shared store in time; `/metrics` answers 503 with this code. */
export class MetricsStoreUnavailableError extends KeepwatchError<'KW_METRICS_STORE_UNAVAILABLE'> {
  static readonly code = 'KW_METRICS_STORE_UNAVAILABLE';
  constructor(message: string, cause?: unknown) {
    super(MetricsStoreUnavailableError.code, message, { cause });
  }
}

/** The store was used after `close()`: observations would be lost silently otherwise. */
export class MetricsStoreClosedError extends KeepwatchError<'KW_METRICS_STORE_CLOSED'> {
  static readonly code = 'KW_METRICS_STORE_CLOSED';
  constructor(operation: string) {
    super(MetricsStoreClosedError.code, `metrics store is closed: cannot ${operation}`);
  }
}

/** Counting the rows of the application database failed; names the table, never the URL. */
export class ModelCountError extends KeepwatchError<'KW_METRICS_MODEL_COUNT_FAILED'> {
  static readonly code = 'KW_METRICS_MODEL_COUNT_FAILED';
  constructor(message: string, cause?: unknown) {
    super(ModelCountError.code, message, { cause });
  }
}

/** A family declaration (`store.counter()`, …) that cannot work; the message lists every problem. */
export class MetricsFamilyError extends KeepwatchError<'KW_METRICS_FAMILY_INVALID'> {
  static readonly code = 'KW_METRICS_FAMILY_INVALID';
  constructor(what: string, problems: string[]) {
    super(MetricsFamilyError.code, `invalid ${what}: ${problems.join('; ')}`);
  }
}

/**
 * A family declared under a name that is taken: by a built-in family, or by an earlier
 * declaration with another type, labels, help, buckets or aggregate.
 */
export class MetricsFamilyConflictError extends KeepwatchError<'KW_METRICS_FAMILY_CONFLICT'> {
  static readonly code = 'KW_METRICS_FAMILY_CONFLICT';
  constructor(message: string) {
    super(MetricsFamilyConflictError.code, message);
  }
}

/**
 * An observation a declared family cannot take: a label it was not declared with, a negative
 * counter increment, a value that is not a finite number (as prom-client refuses them).
 */
export class MetricsObservationError extends KeepwatchError<'KW_METRICS_OBSERVATION_INVALID'> {
  static readonly code = 'KW_METRICS_OBSERVATION_INVALID';
  constructor(message: string) {
    super(MetricsObservationError.code, message);
  }
}
