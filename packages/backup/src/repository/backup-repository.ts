import { resolve } from 'node:path';
import { relativeInside } from '@keepwatch/conventions';
import { isValidSourceName, parseBackupId } from '../catalog/backup-id.js';
import { BackupNotFoundError, BackupOptionsError, BackupSourceUnknownError } from '../errors.js';
import { silentLogger, type BackupLogger } from '../logger.js';
import { RemoteTransferError } from '../remote/errors.js';
import type { RemoteDestination } from '../remote/remote-destination.js';
import {
  resolveRetentionOptions,
  resolveRetentionPolicy,
  type RetentionPolicy,
} from '../retention/retention-policy.js';
import type {
  BackupKind,
  KindContext,
  KindRestoreOptions,
  KindRunOptions,
  KindVerifyOptions,
  RestoreInto,
} from './backup-kind.js';
import type {
  BackupEntry,
  RepositoryPruneResult,
  RepositoryRestoreResult,
  RepositoryRunResult,
  RepositoryVerifyResult,
} from './backup-results.js';
import { withRemoteScratch } from './remote-scratch.js';

export interface BackupRepositoryOptions {
  /** The local root every kind keeps its backups under (`[backup] destination`). */
  destinationDir: string;
  /** The kind of each source, by source name (`database: dumpKind(…)`, `data: snapshotKind(…)`). */
  kinds: Record<string, BackupKind>;
  /** Applied to each source after every backup and by `prune`; all 0 keeps everything. @defaultValue {} */
  retention?: RetentionPolicy;
  /** The IANA zone whose days, weeks and months retention counts in. @defaultValue 'UTC' */
  timeZone?: string;
  /** The off-site copy: every backup is pushed there, and removed there when retention removes it. @defaultValue undefined */
  remote?: RemoteDestination;
  /**
   * The data directory: `destinationDir` may not lie inside it (a backup kept with what it backs
   * up is lost with it). @defaultValue undefined (not checked)
   */
  dataDirectory?: string;
  /**
   * Where copies read from the remote for `verify` and `restore` are put while they are used
   * (then removed): a private `.remote-<pid>-<host>-…` directory in it, which the next fetch on
   * this machine removes when a killed process left it. On the destination's file system by
   * default, which has room for backups. @defaultValue destinationDir
   */
  scratchDir?: string;
  /** @defaultValue silent */
  logger?: BackupLogger;
}

export interface RepositoryListOptions {
  /** One source only. @defaultValue every registered source */
  source?: string;
  /** List what the remote holds instead of the local backups (`BackupOptionsError` without a remote). @defaultValue false */
  remote?: boolean;
}

/**
 * Every source's backups in one place, whatever their kind, restic-style: run, list, verify,
 * restore and prune go through here, and the repository dispatches to the kind registered for
 * the source (by name, or by the source an id names). The caller holds the source's lock around
 * `run` and `prune` (`SourceLock`); the repository does not lock.
 */
export interface BackupRepository {
  /** The registered sources, in registration order. */
  readonly sources: readonly string[];
  /**
   * The sources `run` backs up (a dump kind without a database only holds stored backups): the
   * ones a schedule runs and the backup status metrics show.
   */
  readonly runnable: readonly string[];
  /** The remote's label, or null without one. */
  readonly remote: string | null;
  /**
   * One backup of `source`, then (when there is a remote) its copy there, then retention, then
   * the remote copies of what retention removed. A failed copy throws `RemoteTransferError`
   * (saying the backup is kept locally) and nothing is deleted, locally or remotely.
   */
  run(source: string, options?: KindRunOptions): Promise<RepositoryRunResult>;
  /** Complete backups, oldest first (by finish time). */
  list(options?: RepositoryListOptions): Promise<BackupEntry[]>;
  /** Checks a backup; one that is not local is read from the remote (`from: 'remote'`). */
  verify(id: string, options?: KindVerifyOptions): Promise<RepositoryVerifyResult>;
  /** Restores a backup into `into` (a database URL or target for a dump, a directory for a snapshot); local first, else from the remote. */
  restore(id: string, into: RestoreInto, options?: KindRestoreOptions): Promise<RepositoryRestoreResult>;
  /** Applies retention to one source's local backups, and removes the same ones on the remote (not on a dry run). */
  prune(source: string, options?: { dryRun?: boolean }): Promise<RepositoryPruneResult>;
}

/** Builds the repository; every option is checked here, and every problem named at once. */
export function createBackupRepository(options: BackupRepositoryOptions): BackupRepository {
  const problems: string[] = [];
  if (typeof options.destinationDir !== 'string' || options.destinationDir === '')
    problems.push('destinationDir: must name a directory');
  const root = resolve(options.destinationDir || '.');
  if (options.dataDirectory && relativeInside(options.dataDirectory, root) !== undefined)
    problems.push(
      `destinationDir: "${root}" is inside the data directory "${resolve(options.dataDirectory)}"; choose a directory outside it`,
    );
  const kinds = new Map<string, BackupKind>();
  for (const [source, kind] of Object.entries(options.kinds ?? {})) {
    if (!isValidSourceName(source)) problems.push(`kinds: "${source.slice(0, 100)}" is not a valid source name`);
    else problems.push(...(kind.check?.(source) ?? []).map((p) => `kinds: ${p}`));
    kinds.set(source, kind);
  }
  if (kinds.size === 0) problems.push('kinds: register at least one source');
  if (problems.length > 0) throw new BackupOptionsError('backup repository', problems);
  const policy = resolveRetentionPolicy(options.retention);
  const { timeZone } = resolveRetentionOptions(options.timeZone === undefined ? {} : { timeZone: options.timeZone });
  const logger = options.logger ?? silentLogger;
  const { remote } = options;
  const scratchRoot = resolve(options.scratchDir ?? root);
  const runnable = [...kinds].filter(([, k]) => k.runnable).map(([name]) => name);
  const contextOf = (source: string, at = root): KindContext => ({ source, root: at, scratchRoot, logger });

  const kindOf = (source: string): BackupKind => {
    const kind = kinds.get(source);
    if (!kind) throw new BackupSourceUnknownError(source, [...kinds.keys()]);
    return kind;
  };
  const needRemote = (): RemoteDestination => {
    if (!remote)
      throw new BackupOptionsError('backup repository', ['remote: no remote is configured to read backups from']);
    return remote;
  };

  const prune = async (source: string, kind: BackupKind, dryRun: boolean): Promise<RepositoryPruneResult> => {
    const report = await kind.prune(contextOf(source), { policy, timeZone, dryRun, logger });
    const pushTo = dryRun ? undefined : remote;
    if (pushTo) await kind.removeFromRemote(contextOf(source), pushTo, report.removed);
    return {
      source,
      type: kind.type,
      dryRun: report.dryRun,
      kept: report.kept,
      removed: report.removed,
      remote: pushTo?.label ?? null,
    };
  };

  /** Runs `use` on the local copy of `id`, or on one fetched from the remote into a scratch root. */
  const withCopy = async <T>(
    id: string,
    use: (kind: BackupKind, context: KindContext, from: 'local' | 'remote') => Promise<T>,
  ): Promise<T> => {
    const { source } = parseBackupId(id);
    const kind = kindOf(source);
    if (await kind.has(contextOf(source), id)) return use(kind, contextOf(source), 'local');
    if (!remote) throw new BackupNotFoundError(id, root);
    return withRemoteScratch(scratchRoot, async (scratch) => {
      const context = contextOf(source, scratch);
      await kind.fetch(context, remote, id);
      logger.info({ id, remote: remote.label }, 'backup: read from the remote');
      return use(kind, context, 'remote');
    });
  };

  return {
    sources: Object.freeze([...kinds.keys()]),
    runnable: Object.freeze(runnable),
    remote: remote?.label ?? null,

    async run(source, runOptions = {}) {
      const kind = kinds.get(source);
      if (!kind?.runnable) {
        throw new BackupSourceUnknownError(source, runnable, kind?.hint);
      }
      const context = contextOf(source);
      const result = await kind.run(context, runOptions);
      if (remote) {
        await kind.push(context, remote, result.id).catch((error: unknown) => {
          logger.error(
            { id: result.id, remote: remote.label, err: error },
            'backup: copy to the remote failed, kept locally',
          );
          // Same code and retryability, but the message says the backup itself is safe.
          if (error instanceof RemoteTransferError)
            throw new RemoteTransferError(`copy of backup ${result.id} (kept locally)`, remote.label, error, error);
          throw error;
        });
        logger.info({ id: result.id, remote: remote.label }, 'backup: copied to the remote');
      }
      const retention = await prune(source, kind, false);
      return { ...result, retention, remote: remote?.label ?? null };
    },

    async list(listOptions = {}) {
      const sources = listOptions.source === undefined ? [...kinds.keys()] : [listOptions.source];
      const from = listOptions.remote ? needRemote() : undefined;
      const lists = await Promise.all(
        sources.map((source) => {
          const kind = kindOf(source);
          return from ? kind.listRemote(contextOf(source), from) : kind.list(contextOf(source));
        }),
      );
      return lists.flat().sort((a, b) => a.finishedAt.localeCompare(b.finishedAt) || a.id.localeCompare(b.id));
    },

    verify(id, verifyOptions = {}) {
      return withCopy(id, async (kind, context, from) => ({
        ...(await kind.verify(context, id, verifyOptions)),
        from,
      }));
    },

    restore(id, into, restoreOptions = {}) {
      return withCopy(id, async (kind, context, from) => ({
        ...(await kind.restore(context, id, into, restoreOptions)),
        from,
      }));
    },

    prune(source, pruneOptions = {}) {
      return prune(source, kindOf(source), pruneOptions.dryRun ?? false);
    },
  };
}
