/** A held lock of one source; see `SourceLock`. */
export interface HeldSourceLock {
  readonly source: string;
  /** Aborted (with `BackupLockLostError`) if the lock is lost, so the backup stops. */
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

/**
 * One backup per source at a time, across every worker and CLI that shares it. The package runs
 * backups under a lock it is given: `createSourceLock` from `@keepwatch/backup/bullmq` is one in
 * Redis.
 */
export interface SourceLock {
  acquire(source: string, options?: { waitMs?: number; signal?: AbortSignal }): Promise<HeldSourceLock>;
  /** Runs `fn` holding the lock of `source`; `fn` gets a signal that fires if the lock is lost. */
  run<T>(
    source: string,
    fn: (signal: AbortSignal) => Promise<T>,
    options?: { waitMs?: number; signal?: AbortSignal },
  ): Promise<T>;
}
