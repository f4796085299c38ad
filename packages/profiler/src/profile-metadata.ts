import type { ProfileKind } from './events.js';

/** Said in every profile's metadata, because the V8 profiler samples the whole process. */
export const concurrentWorkNote =
  'The V8 CPU profiler samples the whole process: this profile may include work of other requests and jobs that ran at the same time.';

/**
 * The `.meta.json` beside each profile. Deliberately small: no query string, headers or body,
 * which may hold secrets; the url_name is the route pattern, never the raw path.
 */
export interface ProfileMetadata {
  version: 1;
  /** The `.cpuprofile` file this describes. */
  profile: string;
  kind: ProfileKind;
  /** The route's url_name for a request, the task name for a job. */
  name: string;
  /** HTTP method; absent for tasks. */
  method?: string;
  /** HTTP status code for a request; `ok` or `failed` for a task; `timeout` or `aborted` for either. */
  status: string;
  /** ISO time the capture started. */
  startedAt: string;
  durationMs: number;
  pid: number;
  samplingIntervalUs: number;
  note: string;
}
