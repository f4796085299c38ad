import { performance } from 'node:perf_hooks';
import type { CpuProfile } from './cpu-profile.js';
import type { ProfileKind, ProfilerEvent, ProfilerEventDetail, ProfilerStats } from './events.js';
import { resolveProfilerOptions, type ProfilerOptions, type ResolvedProfilerOptions } from './options.js';
import { ProfileStore } from './profile-store.js';
import { isSampled } from './sampler.js';
import { V8CpuProfiler, isCaptureRunning } from './v8-cpu-profiler.js';

export interface CaptureStart {
  kind: ProfileKind;
  /** The route's url_name (its pattern or configured name) or the task name; never a raw path. */
  name: string;
  /** HTTP method, for requests. */
  method?: string;
}

/** A running capture. Finish it once the work is done (for a request: once the response is sent). */
export interface Capture {
  /**
   * Stops the V8 profiler now and writes the profile later, off the caller's path. Only the
   * first call counts, so a timeout and a late response cannot both write.
   */
  finish(status: string | number): void;
  readonly finished: boolean;
}

export interface Profiler {
  readonly options: ResolvedProfilerOptions;
  /**
   * The sampling decision at the kind's rate (`rate` for requests, `taskRate` for jobs), one
   * random draw. Call it first: it is all an unsampled request pays for.
   */
  shouldSample(kind: ProfileKind): boolean;
  /**
   * Starts a capture of sampled work. Undefined when the V8 profiler is busy with another
   * capture (counted as `skipped`), when the last captures used up `maxOverhead` (counted as
   * `throttled`) or when it cannot start; the work goes on either way.
   */
  start(start: CaptureStart): Capture | undefined;
  /** A copy of the in-process counts. */
  stats(): ProfilerStats;
  /** Settles once every finished capture is written (or dropped). */
  idle(): Promise<void>;
  /** Drops a running capture, waits for pending writes and closes the inspector session. */
  close(): Promise<void>;
}

/** Creates a profiler; throws `ProfilerOptionsError` listing every bad option. Opens nothing yet. */
export function createProfiler(options: ProfilerOptions): Profiler {
  const resolved = resolveProfilerOptions(options);
  const { logger } = resolved;
  const counts = { sampled: 0, skipped: 0, throttled: 0, captured: 0, written: 0, evicted: 0, dropped: 0 };
  // performance.now() before which nothing is profiled, to keep within maxOverhead.
  let resumeAt = 0;
  const pauseFactor = 1 / resolved.maxOverhead - 1;
  const v8 = new V8CpuProfiler();
  const pending = new Set<Promise<void>>();
  let active: { finished: boolean; timer?: NodeJS.Timeout } | undefined;
  let closed = false;

  const emit = (event: ProfilerEvent, detail: ProfilerEventDetail): void => {
    counts[event] += 1;
    if (resolved.onEvent === undefined) return;
    try {
      resolved.onEvent(event, detail);
    } catch (error) {
      logger.warn({ err: error, event }, 'profiler onEvent listener threw');
    }
  };

  const store = new ProfileStore({
    directory: resolved.directory,
    maxFiles: resolved.maxFiles,
    maxBytes: resolved.maxBytes,
    logger,
    emit,
  });

  function start(start: CaptureStart): Capture | undefined {
    if (closed) return undefined;
    if (isCaptureRunning()) {
      emit('skipped', { kind: start.kind });
      return undefined;
    }
    const beforeStart = performance.now();
    if (beforeStart < resumeAt) {
      emit('throttled', { kind: start.kind });
      return undefined;
    }
    let started: boolean;
    try {
      started = v8.start(resolved.samplingIntervalUs);
    } catch (error) {
      // Typically a Node built without the inspector; the work itself must go on unprofiled.
      logger.warn({ err: error }, 'could not start the V8 CPU profiler');
      emit('dropped', { kind: start.kind });
      return undefined;
    }
    if (!started) {
      emit('skipped', { kind: start.kind });
      return undefined;
    }
    emit('sampled', { kind: start.kind });
    const startedAt = new Date();
    const t0 = performance.now();
    const startCostMs = t0 - beforeStart;
    const state: { finished: boolean; timer?: NodeJS.Timeout } = { finished: false };
    active = state;

    const finish = (status: string | number): void => {
      if (state.finished) return;
      state.finished = true;
      clearTimeout(state.timer);
      if (active === state) active = undefined;
      const beforeStop = performance.now();
      const durationMs = beforeStop - t0;
      let profile: CpuProfile;
      try {
        profile = v8.stop();
      } catch (error) {
        logger.warn({ err: error }, 'could not stop the V8 CPU profiler');
        emit('dropped', { kind: start.kind });
        return;
      } finally {
        const afterStop = performance.now();
        resumeAt = afterStop + (startCostMs + (afterStop - beforeStop)) * pauseFactor;
      }
      emit('captured', { kind: start.kind });
      // Serialising and writing wait for the next turn of the event loop, so whatever else
      // runs after the response (other onResponse hooks, metrics) goes first.
      const write = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        store.write({
          profile,
          kind: start.kind,
          name: start.name,
          method: start.method,
          status: String(status),
          startedAt,
          durationMs,
          samplingIntervalUs: resolved.samplingIntervalUs,
        }),
      );
      pending.add(write);
      void write.finally(() => pending.delete(write));
    };

    state.timer = setTimeout(() => finish('timeout'), resolved.maxDurationMs);
    state.timer.unref();
    return {
      finish,
      get finished() {
        return state.finished;
      },
    };
  }

  return {
    options: resolved,
    shouldSample: (kind) => !closed && isSampled(kind === 'request' ? resolved.rate : resolved.taskRate),
    start,
    stats: () => ({ ...counts, sessionsOpened: v8.sessionsOpened, capturing: v8.capturing }),
    async idle() {
      while (pending.size > 0) await Promise.all(pending);
      await store.idle();
    },
    async close() {
      closed = true;
      if (active !== undefined) {
        active.finished = true;
        clearTimeout(active.timer);
        active = undefined;
      }
      v8.close();
      while (pending.size > 0) await Promise.all(pending);
      await store.idle();
    },
  };
}
