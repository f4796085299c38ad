/** What the profiler did, for counters such as `keepwatch_profiles_skipped_total`. */
export type ProfilerEvent =
  /** A request or job was chosen at random and its capture started. */
  | 'sampled'
  /** A sampled request or job was not profiled because another capture was running. */
  | 'skipped'
  /** A sampled request or job was not profiled to keep the profiler within `maxOverhead`. */
  | 'throttled'
  /** A capture stopped and its profile is waiting to be written. */
  | 'captured'
  /** A profile and its metadata are on disk. */
  | 'written'
  /** A profile was deleted to keep the directory within `maxFiles` / `maxBytes`. */
  | 'evicted'
  /**
   * A captured profile was lost: the write or the quota check failed, it alone is larger than
   * `maxBytes`, or there is no room for it (it is older than every profile the quota keeps, or
   * writes other processes have announced take the rest).
   */
  | 'dropped';

/** Whether a profile covers an HTTP request or a worker job. */
export type ProfileKind = 'request' | 'task';

export interface ProfilerEventDetail {
  /** Absent for `evicted`, which concerns whatever profile was oldest. */
  kind?: ProfileKind;
}

export type ProfilerEventListener = (event: ProfilerEvent, detail: ProfilerEventDetail) => void;

/** In-process counts since the profiler was created; `profiler.stats()` returns a copy. */
export interface ProfilerStats {
  sampled: number;
  skipped: number;
  throttled: number;
  captured: number;
  written: number;
  evicted: number;
  dropped: number;
  /** Inspector sessions this profiler opened: 0 until the first sampled capture, then 1. */
  sessionsOpened: number;
  /** True while a capture of this profiler is running. */
  capturing: boolean;
}
