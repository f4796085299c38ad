import { KeepwatchError } from '@keepwatch/errors';

/** Profiler options that cannot work; the message lists every bad option at once. */
export class ProfilerOptionsError extends KeepwatchError<'KW_PROFILER_OPTIONS_INVALID'> {
  static readonly code = 'KW_PROFILER_OPTIONS_INVALID';
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(ProfilerOptionsError.code, `invalid profiler options: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/**
 * A filter for listing or summarising profiles that cannot be understood. `field` names it, so
 * a caller can speak of its own name for it (a CLI flag, a query parameter) without parsing the
 * message.
 */
export class ProfileFilterError extends KeepwatchError<'KW_PROFILE_FILTER_INVALID'> {
  static readonly code = 'KW_PROFILE_FILTER_INVALID';
  constructor(
    readonly field: 'since' | 'limit',
    /** What is wrong with it, without the field's name. */
    readonly problem: string,
  ) {
    super(ProfileFilterError.code, `${field}: ${problem}`);
  }
}

/** A profile list asked for by url_name and by task at once: a profile is of a request or of a task, never of both. */
export class ProfileFilterConflictError extends KeepwatchError<'KW_PROFILE_FILTER_CONFLICT'> {
  static readonly code = 'KW_PROFILE_FILTER_CONFLICT';
  constructor(urlName: string, task: string) {
    super(
      ProfileFilterConflictError.code,
      `give url_name or task, not both (url_name ${JSON.stringify(urlName.slice(0, 100))}, task ${JSON.stringify(task.slice(0, 100))}): ` +
        'a profile is of one request or of one task run, so together they match nothing',
    );
  }
}

/** A profile asked for by name that is not in the profile directory, or a name that is not a profile's. */
export class ProfileNotFoundError extends KeepwatchError<'KW_PROFILE_NOT_FOUND'> {
  static readonly code = 'KW_PROFILE_NOT_FOUND';
  constructor(file: string, directory: string, cause?: unknown) {
    super(ProfileNotFoundError.code, `no profile named "${file}" in ${directory}`, { cause });
  }
}

/** A file that does not parse as a V8 CPU profile (nodes, samples, timeDeltas). */
export class ProfileFormatError extends KeepwatchError<'KW_PROFILE_INVALID'> {
  static readonly code = 'KW_PROFILE_INVALID';
  constructor(path: string, reason: string, cause?: unknown) {
    super(ProfileFormatError.code, `${path} is not a valid CPU profile: ${reason}`, { cause });
  }
}
