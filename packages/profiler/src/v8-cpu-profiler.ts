import { Session } from 'node:inspector';
import type { CpuProfile } from './cpu-profile.js';
import { trimProfile } from './trim-profile.js';

/**
 * V8 runs one sampling profiler per process (an isolate), so "one capture at a time" is a
 * process-wide rule. The flag lives on `globalThis` under a registered symbol so that two copies
 * of this package, or two profilers in one process, still share it.
 */
const lockKey = Symbol.for('keepwatch.profiler.capturing');
type LockHolder = { [lockKey]?: boolean };

/** True while any capture runs in this process. */
export function isCaptureRunning(): boolean {
  return (globalThis as LockHolder)[lockKey] === true;
}

function tryLock(): boolean {
  const holder = globalThis as LockHolder;
  if (holder[lockKey] === true) return false;
  holder[lockKey] = true;
  return true;
}

function unlock(): void {
  (globalThis as LockHolder)[lockKey] = false;
}

/**
 * An inspector session on this process, opened at the first capture and never before, so that
 * a process that never samples has no session at all.
 *
 * We use the callback form of `Session.post`: for a session on its own thread the inspector
 * answers synchronously, so the profiler starts within the calling hook rather than a
 * microtask later, and the request is covered from its first line.
 */
export class V8CpuProfiler {
  #session: Session | undefined;
  #capturing = false;
  #sessionsOpened = 0;
  #startedUs = 0;

  get sessionsOpened(): number {
    return this.#sessionsOpened;
  }

  get capturing(): boolean {
    return this.#capturing;
  }

  /** Starts a capture; false when one is already running anywhere in this process. */
  start(samplingIntervalUs: number): boolean {
    if (!tryLock()) return false;
    try {
      const session = this.#open();
      // The interval can only be changed while no profile is recording, so set it each time.
      post(session, 'Profiler.setSamplingInterval', { interval: samplingIntervalUs });
      post(session, 'Profiler.start');
      this.#startedUs = nowUs();
      this.#capturing = true;
      return true;
    } catch (error) {
      unlock();
      throw error;
    }
  }

  /** Stops the running capture and returns its profile, without the profiler's own start and stop. */
  stop(): CpuProfile {
    if (!this.#capturing || this.#session === undefined) {
      throw new Error('no capture is running');
    }
    const stoppingUs = nowUs();
    this.#capturing = false;
    let profile: CpuProfile;
    try {
      profile = post<{ profile: CpuProfile }>(this.#session, 'Profiler.stop').profile;
    } finally {
      unlock();
    }
    return trimProfile(profile, this.#startedUs, stoppingUs);
  }

  /** Stops any capture without keeping it and disconnects the session. */
  close(): void {
    if (this.#capturing) {
      try {
        this.stop();
      } catch {
        // Closing is best effort: the session goes away with the profile anyway.
      }
    }
    this.#session?.disconnect();
    this.#session = undefined;
  }

  #open(): Session {
    if (this.#session !== undefined) return this.#session;
    const session = new Session();
    session.connect();
    this.#sessionsOpened += 1;
    post(session, 'Profiler.enable');
    this.#session = session;
    return session;
  }
}

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function post<T = unknown>(session: Session, method: string, params?: object): T {
  let outcome: { error: Error | null; result?: unknown } | undefined;
  session.post(method, params ?? {}, (error: Error | null, result?: unknown) => {
    outcome = { error, result };
  });
  if (outcome === undefined) {
    // Only a session connected to another thread answers later; this module never makes one.
    throw new Error(`inspector did not answer ${method} synchronously`);
  }
  if (outcome.error) throw outcome.error;
  return outcome.result as T;
}
