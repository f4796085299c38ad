import { resolve } from 'node:path';
import { ProfilerOptionsError } from './errors.js';
import type { ProfilerEventListener } from './events.js';
import { silentLogger, type ProfilerLogger } from './logger.js';
import * as z from 'zod/mini';
import { english } from './zod.js';

export interface ProfilerOptions {
  /**
   * Where profiles are written, normally `<data dir>/profiles`. Created with mode 0700 at the
   * first write when missing; never created at rate 0.
   */
  directory: string;
  /**
   * Fraction of HTTP requests profiled, from 0 to 1 (0.1 is one request in ten, chosen at
   * random). At 0 the Fastify plugin adds no hooks and no inspector session is ever opened.
   * @defaultValue 0
   */
  rate?: number;
  /**
   * Fraction of worker jobs profiled, from 0 to 1.
   * @defaultValue the value of `rate`
   */
  taskRate?: number;
  /**
   * V8 sampling interval in microseconds: smaller sees shorter functions, costs more while a
   * capture runs and makes bigger files.
   * @defaultValue 1000
   */
  samplingIntervalUs?: number;
  /**
   * Largest fraction of the process's time the profiler may spend starting and stopping
   * captures, from 0 to 1. Each V8 `Profiler.start` walks all compiled code and blocks the event
   * loop for tens of milliseconds in a typical server, so without a limit a busy server at a
   * small rate spends most of its time starting the profiler. After a capture whose start and
   * stop took `c` ms, requests and jobs are not profiled for `c × (1 / maxOverhead − 1)` ms
   * (counted as `throttled`); 1 lifts the limit.
   * @defaultValue 0.01
   */
  maxOverhead?: number;
  /**
   * Longest capture in milliseconds. A request that never completes (client gone, hook never
   * called) must not keep the process-wide profiler busy: its capture is stopped and written
   * with status `timeout`.
   * @defaultValue 30000
   */
  maxDurationMs?: number;
  /**
   * Most profiles kept in `directory`; the oldest (by the time in the name) go first.
   * @defaultValue 100
   */
  maxFiles?: number;
  /**
   * Most bytes kept in `directory`, profiles and their metadata together; the oldest go first.
   * @defaultValue 104857600 (100 MiB)
   */
  maxBytes?: number;
  /**
   * A pino logger (or anything with `warn` and `debug`) for write failures and evictions.
   * @defaultValue a logger that drops everything
   */
  logger?: ProfilerLogger;
  /**
   * Called on each event (`skipped`, `written`, …), synchronously, so an app can feed its
   * metrics store. A listener that throws is logged and otherwise ignored.
   * @defaultValue none
   */
  onEvent?: ProfilerEventListener;
}

export interface ResolvedProfilerOptions {
  readonly directory: string;
  readonly rate: number;
  readonly taskRate: number;
  readonly samplingIntervalUs: number;
  readonly maxOverhead: number;
  readonly maxDurationMs: number;
  readonly maxFiles: number;
  readonly maxBytes: number;
  readonly logger: ProfilerLogger;
  readonly onEvent: ProfilerEventListener | undefined;
}

export const profilerDefaults = Object.freeze({
  rate: 0,
  samplingIntervalUs: 1000,
  maxOverhead: 0.01,
  maxDurationMs: 30_000,
  maxFiles: 100,
  maxBytes: 100 * 1024 * 1024,
});

const fraction = z
  .number({ error: 'must be a number from 0 to 1' })
  .check(z.gte(0, 'must be from 0 to 1 (0.1 means 10 %)'), z.lte(1, 'must be from 0 to 1 (0.1 means 10 %)'));

const schema = z.strictObject({
  directory: z.string({ error: 'must be a path' }).check(z.minLength(1, 'must not be empty')),
  rate: z.optional(fraction),
  taskRate: z.optional(fraction),
  // V8 refuses nothing here, but below ~50 µs the profiler itself dominates the process.
  samplingIntervalUs: z.optional(z.int('must be a whole number of microseconds').check(z.gte(50), z.lte(1_000_000))),
  maxOverhead: z.optional(
    z
      .number({ error: 'must be a number above 0, at most 1' })
      .check(z.gt(0, 'must be above 0 (1 lifts the limit)'), z.lte(1, 'must be at most 1 (1 lifts the limit)')),
  ),
  maxDurationMs: z.optional(z.int('must be a whole number of milliseconds').check(z.gte(1), z.lte(3_600_000))),
  maxFiles: z.optional(z.int('must be a whole number').check(z.gte(1))),
  maxBytes: z.optional(z.int('must be a whole number of bytes').check(z.gte(1024))),
  logger: z.optional(
    z.custom<ProfilerLogger>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        typeof (value as ProfilerLogger).warn === 'function' &&
        typeof (value as ProfilerLogger).debug === 'function',
      'must be a logger with warn() and debug()',
    ),
  ),
  onEvent: z.optional(z.custom<ProfilerEventListener>((value) => typeof value === 'function', 'must be a function')),
});

/** Merges the defaults and validates once; throws `ProfilerOptionsError` naming every bad option. */
export function resolveProfilerOptions(options: ProfilerOptions): ResolvedProfilerOptions {
  const result = schema.safeParse(options, english);
  if (!result.success) {
    throw new ProfilerOptionsError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`),
    );
  }
  const given = result.data;
  const rate = given.rate ?? profilerDefaults.rate;
  return Object.freeze({
    directory: resolve(given.directory),
    rate,
    taskRate: given.taskRate ?? rate,
    samplingIntervalUs: given.samplingIntervalUs ?? profilerDefaults.samplingIntervalUs,
    maxOverhead: given.maxOverhead ?? profilerDefaults.maxOverhead,
    maxDurationMs: given.maxDurationMs ?? profilerDefaults.maxDurationMs,
    maxFiles: given.maxFiles ?? profilerDefaults.maxFiles,
    maxBytes: given.maxBytes ?? profilerDefaults.maxBytes,
    logger: given.logger ?? silentLogger,
    onEvent: given.onEvent,
  });
}
