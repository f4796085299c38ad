export interface BackupProgress {
  /**
   * Bytes the source produced (before compression). Approximate while a dump tool writes straight
   * into zstd (what zstd has read, from /proc; 0 without /proc), exact at the end.
   */
  rawBytes: number;
  /** Bytes written to the destination (after compression and encryption). */
  storedBytes: number;
  elapsedMs: number;
}

export type ProgressListener = (progress: BackupProgress) => void;

/**
 * Calls `listener` at most once per `intervalMs` while bytes flow, and once more at the end, so a
 * terminal can print bytes and rate without a callback per chunk.
 */
export function throttleProgress(
  listener: ProgressListener | undefined,
  intervalMs: number,
  read: () => BackupProgress,
): { start(): void; stop(final: boolean): void } {
  let timer: NodeJS.Timeout | undefined;
  let last = -1;
  const emit = (): void => {
    const progress = read();
    // Either count may stand still while the other moves (a dump tool writing straight into zstd
    // is counted only at the end on systems without /proc).
    const moved = progress.rawBytes + progress.storedBytes;
    if (moved === last) return;
    last = moved;
    try {
      listener?.(progress);
    } catch {
      // A broken progress printer must not fail the backup.
    }
  };
  return {
    start() {
      if (!listener) return;
      timer = setInterval(emit, intervalMs);
      timer.unref();
    },
    stop(final) {
      clearInterval(timer);
      if (final && listener) {
        last = -1;
        emit();
      }
    },
  };
}
