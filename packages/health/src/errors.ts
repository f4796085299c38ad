import { KeepwatchError } from '@keepwatch/errors';

/** Options that cannot work; the message lists every problem at once, each by its key. */
export class HealthOptionsError extends KeepwatchError<'KW_HEALTH_OPTIONS_INVALID'> {
  static readonly code = 'KW_HEALTH_OPTIONS_INVALID';
  readonly problems: readonly string[];

  constructor(what: string, problems: string[]) {
    super(HealthOptionsError.code, `invalid ${what}: ${problems.join('; ')}`);
    this.problems = Object.freeze([...problems]);
  }
}

/** A probe did not answer within its own timeout. */
export class ProbeTimeoutError extends KeepwatchError<'KW_HEALTH_PROBE_TIMEOUT'> {
  static readonly code = 'KW_HEALTH_PROBE_TIMEOUT';
  constructor(probe: string, timeoutMs: number) {
    super(ProbeTimeoutError.code, `probe "${probe}" timed out after ${timeoutMs} ms`);
  }
}

/** The whole check ran past its overall deadline; probes still running are reported failed. */
export class HealthDeadlineError extends KeepwatchError<'KW_HEALTH_DEADLINE_EXCEEDED'> {
  static readonly code = 'KW_HEALTH_DEADLINE_EXCEEDED';
  constructor(deadlineMs: number) {
    super(HealthDeadlineError.code, `health check deadline of ${deadlineMs} ms exceeded`);
  }
}

/** A probe reached its service but the answer was wrong (a value read back differs). */
export class ProbeFailedError extends KeepwatchError<'KW_HEALTH_PROBE_FAILED'> {
  static readonly code = 'KW_HEALTH_PROBE_FAILED';
  constructor(probe: string, message: string, options?: { cause?: unknown }) {
    super(ProbeFailedError.code, `probe "${probe}": ${message}`, options);
  }
}

/** The client a probe was given is not connected, so the probe did not send anything. */
export class ProbeClientNotReadyError extends KeepwatchError<'KW_HEALTH_CLIENT_NOT_READY'> {
  static readonly code = 'KW_HEALTH_CLIENT_NOT_READY';
  constructor(probe: string, status: string) {
    super(ProbeClientNotReadyError.code, `probe "${probe}": client is not ready (status "${status}")`);
  }
}

/** The service is draining: `markShuttingDown()` was called, so every check fails at once. */
export class ShuttingDownError extends KeepwatchError<'KW_HEALTH_SHUTTING_DOWN'> {
  static readonly code = 'KW_HEALTH_SHUTTING_DOWN';
  constructor() {
    super(ShuttingDownError.code, 'not checked: the service is shutting down');
  }
}

/** An optional peer dependency a probe needs (e.g. `pg` for connection options) is not installed. */
export class HealthDependencyMissingError extends KeepwatchError<'KW_HEALTH_DEPENDENCY_MISSING'> {
  static readonly code = 'KW_HEALTH_DEPENDENCY_MISSING';
  constructor(dependency: string, neededFor: string, options?: { cause?: unknown }) {
    super(
      HealthDependencyMissingError.code,
      `package "${dependency}" is needed for ${neededFor}; add it to your app's dependencies`,
      options,
    );
  }
}
