export { createProfiler } from './profiler.js';
export type { Capture, CaptureStart, Profiler } from './profiler.js';
export { resolveProfilerOptions, profilerDefaults } from './options.js';
export type { ProfilerOptions, ResolvedProfilerOptions } from './options.js';
export type {
  ProfileKind,
  ProfilerEvent,
  ProfilerEventDetail,
  ProfilerEventListener,
  ProfilerStats,
} from './events.js';
export type { ProfilerLogger } from './logger.js';
export { unmatchedUrlName } from './unmatched-url-name.js';
export { profileTask } from './profile-task.js';
export { listProfiles, resolveProfilePath } from './list-profiles.js';
export type { ProfileEntry, ProfileFilter } from './list-profiles.js';
export { profileFilter } from './profile-query.js';
export type { ProfileQuery } from './profile-query.js';
export { parseSince } from './parse-since.js';
export { readProfile, parseCpuProfile } from './read-profile.js';
export type { CpuProfile, CpuProfileCallFrame, CpuProfileNode } from './cpu-profile.js';
export { concurrentWorkNote } from './profile-metadata.js';
export type { ProfileMetadata } from './profile-metadata.js';
export { topFunctions } from './top-functions.js';
export type { TopFunction, TopFunctionsOptions, TopFunctionsReport } from './top-functions.js';
export { formatTopTable, formatProfileTable } from './format-tables.js';
export {
  ProfileFilterConflictError,
  ProfileFilterError,
  ProfileFormatError,
  ProfileNotFoundError,
  ProfilerOptionsError,
} from './errors.js';
