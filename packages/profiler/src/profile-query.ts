import { ProfileFilterConflictError } from './errors.js';
import type { ProfileFilter } from './list-profiles.js';

/** Which profiles to list, as a person asks for them (the admin API's query, the CLI's flags). */
export interface ProfileQuery {
  /** Only profiles of requests to this route (its url_name). Not together with `task`. */
  urlName?: string;
  /** Only profiles of runs of this task (the job's name). Not together with `urlName`. */
  task?: string;
  /** Only profiles started at or after this: a Date, an ISO time or a duration back (`1h`, `2d`). */
  since?: Date | string;
  /** At most this many, the newest. */
  limit?: number;
}

/**
 * The `listProfiles` filter for a query. A profile is of one request or of one task run, so a
 * url_name and a task together could match nothing: that is a `ProfileFilterConflictError`,
 * not one of the two quietly winning.
 */
export function profileFilter(query: ProfileQuery): ProfileFilter {
  const { urlName, task, ...rest } = query;
  if (urlName !== undefined && task !== undefined) throw new ProfileFilterConflictError(urlName, task);
  if (urlName !== undefined) return { ...rest, name: urlName, kind: 'request' };
  if (task !== undefined) return { ...rest, name: task, kind: 'task' };
  return rest;
}
