import { join } from 'node:path';
import type { KeepwatchConfig } from '@keepwatch/config';
import { createProfiler, type Profiler, type ProfilerEventListener, type ProfilerOptions } from '@keepwatch/profiler';
import type { Logger } from 'pino';

/** The data directory's `profiles/` folder, where every process writes and the CLI reads. */
export function profilesDirectory(config: Readonly<KeepwatchConfig>): string {
  return join(config.data.dir, 'profiles');
}

/**
 * The process's sampling CPU profiler from `[profile]`. At rate 0 it opens no inspector session
 * and adds no hooks; `onEvent` feeds the metrics store (`keepwatch_profiles_skipped_total`).
 */
export function createProfilerFromConfig(
  config: Readonly<KeepwatchConfig>,
  logger: Logger,
  onEvent?: ProfilerEventListener,
): Profiler {
  return createProfiler(profilerOptionsFromConfig(config, logger, onEvent));
}

/** The profiler's options from `[profile]`; what the config accepts, they accept. */
export function profilerOptionsFromConfig(
  config: Readonly<KeepwatchConfig>,
  logger: Logger,
  onEvent?: ProfilerEventListener,
): ProfilerOptions {
  const { profile } = config;
  return {
    directory: profilesDirectory(config),
    rate: profile.rate,
    taskRate: profile.worker_rate ?? profile.rate,
    samplingIntervalUs: Math.max(1, Math.round(profile.interval * 1000)),
    maxOverhead: profile.max_overhead,
    maxDurationMs: profile.max_duration,
    maxFiles: profile.max_files,
    maxBytes: profile.max_bytes,
    logger,
    ...(onEvent ? { onEvent } : {}),
  };
}
