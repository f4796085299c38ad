/**
 * One thing the service needs in order to serve: a database, Redis, a cache, anything else.
 *
 * `check` resolves when the dependency works and rejects (with a message that names no secret)
 * when it does not. It gets an `AbortSignal` that fires on the probe's timeout or the check's
 * deadline: a probe should then free what it holds (destroy a stuck connection); the checker has
 * already reported it failed and does not wait for it.
 */
export interface Probe {
  /** Unique within a checker; shown in the admin JSON and logs. */
  readonly name: string;
  check(signal: AbortSignal): Promise<void>;
  /**
   * Overrides the checker's `timeoutMs` for this probe (still capped by the deadline).
   * @defaultValue the checker's `timeoutMs`
   */
  readonly timeoutMs?: number;
  /** Frees what the probe itself created (never the clients it was given). */
  close?(): Promise<void>;
}

/** A probe from a function: `defineProbe('s3', (signal) => s3.headBucket({ Bucket }, { abortSignal: signal }))`. */
export function defineProbe(
  name: string,
  fn: (signal: AbortSignal) => Promise<unknown> | unknown,
  options: { timeoutMs?: number } = {},
): Probe {
  return {
    name,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    async check(signal) {
      await fn(signal);
    },
  };
}
