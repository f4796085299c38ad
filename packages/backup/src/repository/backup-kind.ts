import type { BackupLogger } from '../logger.js';
import type { BackupProgress } from '../pipeline/progress.js';
import type { RemoteDestination } from '../remote/remote-destination.js';
import type { RestoreTarget } from '../databases/restore-target.js';
import type { PruneOptions, PruneReport } from '../retention/apply-retention.js';
import type { SnapshotProgress } from '../snapshot/snapshot-options.js';
import type { BackupEntry, KindRestoreResult, KindRunResult, KindVerifyResult } from './backup-results.js';

/** How a kind stores its backups: a dump file with a manifest, or a snapshot tree with its summary. */
export type BackupType = 'dump' | 'snapshot';

/** What a run reports while it goes: a dump's byte counts, or a snapshot's entries and bytes. */
export type KindProgress = BackupProgress | SnapshotProgress;

/**
 * Where and as what a kind works, handed in by the repository on every call: a kind holds no
 * place of its own, so the same kind serves the repository's destination and a scratch copy
 * fetched from the remote (the same layout under another root).
 */
export interface KindContext {
  /** The source name the kind is registered under: ids, local folders and remote paths are made of it. */
  readonly source: string;
  /**
   * The local root (`[backup] destination`), or a scratch directory that holds a copy fetched
   * from the remote in the same layout.
   */
  readonly root: string;
  /** Where short-lived private directories go (manifests read from the remote). */
  readonly scratchRoot: string;
  readonly logger: BackupLogger;
}

export interface KindRunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: KindProgress) => void;
}

export interface KindVerifyOptions {
  /**
   * Also restore the backup somewhere disposable and compare it with what was recorded (a dump:
   * into a scratch database, tables and row counts). A kind that cannot throws
   * `BackupOptionsError`. @defaultValue false
   */
  restoreTest?: boolean;
  /** age identity file, for an encrypted dump. @defaultValue undefined */
  identityFile?: string;
  signal?: AbortSignal;
}

/**
 * Where a restore goes, as the user names it: a database URL for a dump (or a ready
 * `RestoreTarget`), a directory for a snapshot. The kind reads it; callers never branch on it.
 */
export type RestoreInto = string | RestoreTarget;

export interface KindRestoreOptions {
  /** Replace what the target holds; without it a target that is not empty is refused. @defaultValue false */
  clean?: boolean;
  /** age identity file, for an encrypted dump. @defaultValue undefined */
  identityFile?: string;
  signal?: AbortSignal;
  onProgress?: (progress: KindProgress) => void;
}

/**
 * One kind of backup (a database dump, a data-directory snapshot, later WAL segments): everything
 * the repository does with a source's backups, locally and on a `RemoteDestination`. The
 * repository dispatches to the kind registered for a source's name; nobody else branches on it.
 *
 * Local layout is the kind's own, under `context.root`; remote paths start with
 * `<context.source>/`. Callers hold the source's lock around `run`, `prune`, `push` and
 * `removeFromRemote`: kinds clear leftovers of crashed runs, which only a lock makes safe.
 */
export interface BackupKind {
  readonly type: BackupType;
  /** False for a kind that only holds stored backups (a dump source whose database is no longer configured). */
  readonly runnable: boolean;
  /** How to make a source of this kind runnable, in the configurer's words; for `BackupSourceUnknownError`. */
  readonly hint?: string;
  /** Problems with registering the kind under `source` (empty when fine); checked once by the repository. */
  check?(source: string): string[];
  /** One backup; it is complete (listed) when this resolves. */
  run(context: KindContext, options: KindRunOptions): Promise<KindRunResult>;
  /** The complete local backups of the source, oldest first. */
  list(context: KindContext): Promise<BackupEntry[]>;
  /** True when `id` is a complete local backup. */
  has(context: KindContext, id: string): Promise<boolean>;
  verify(context: KindContext, id: string, options: KindVerifyOptions): Promise<KindVerifyResult>;
  restore(context: KindContext, id: string, into: RestoreInto, options: KindRestoreOptions): Promise<KindRestoreResult>;
  /** Applies the retention policy to the local backups (the newest complete one is always kept). */
  prune(context: KindContext, options: PruneOptions): Promise<PruneReport>;
  /**
   * Copies a complete local backup to the remote, its completing part (manifest, summary) last or
   * atomically, after clearing what an interrupted push of the source left there.
   */
  push(context: KindContext, remote: RemoteDestination, id: string): Promise<void>;
  /** Deletes the remote copies of `ids`; no error for one already gone. */
  removeFromRemote(context: KindContext, remote: RemoteDestination, ids: readonly string[]): Promise<void>;
  /** The complete backups of the source on the remote, oldest first. */
  listRemote(context: KindContext, remote: RemoteDestination): Promise<BackupEntry[]>;
  /**
   * Copies backup `id` from the remote into `context.root` in the local layout, so `verify` and
   * `restore` with that context read it. `BackupNotFoundError` when the remote has no complete copy.
   */
  fetch(context: KindContext, remote: RemoteDestination, id: string): Promise<void>;
}
