import type { SnapshotProgress, SnapshotProgressListener } from './snapshot-options.js';

/*
 * Small helpers written here rather than taken from npm (p-limit, p-map): each is a few lines,
 * and they need to stop on an AbortSignal and wait for every started task before failing, so a
 * cleanup never races a write still in flight.
 */

/** Runs `fn` over `items`, at most `limit` at a time; waits for all started calls, then throws the first error. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        signal?.throwIfAborted();
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

/**
 * Lets a loop of synchronous file-system calls give the event loop a turn every few
 * milliseconds. Metadata calls (lstat, link, mkdir) are made synchronously on purpose: the async
 * form costs a thread-pool round trip per call, several times the call itself on a tree of
 * small files, while the slices keep timers (lock renewals, metric flushes) on time.
 */
export class TimeSlicer {
  private sliceStart = performance.now();
  constructor(
    private readonly sliceMs = 8,
    private readonly signal?: AbortSignal,
  ) {}

  async tick(): Promise<void> {
    if (performance.now() - this.sliceStart < this.sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.signal?.throwIfAborted();
    this.sliceStart = performance.now();
  }
}

/** Calls the listener at most every `intervalMs`, and always for the last report. */
export class ProgressReporter {
  readonly state: SnapshotProgress = { phase: 'scan', entriesDone: 0, entriesTotal: 0, bytesCopied: 0, bytesTotal: 0 };
  private lastReport = 0;
  constructor(
    private readonly listener: SnapshotProgressListener | undefined,
    private readonly intervalMs: number,
  ) {}

  update(change: Partial<SnapshotProgress>, force = false): void {
    Object.assign(this.state, change);
    if (!this.listener) return;
    const now = performance.now();
    if (!force && now - this.lastReport < this.intervalMs) return;
    this.lastReport = now;
    this.listener({ ...this.state });
  }
}
