import type { BackupEntry, BackupManifest } from '@keepwatch/backup';
import { backupRepositoryFromConfig } from '@keepwatch/runtime/backup';
import { UsageError } from '@keepwatch/runtime/main';
import type { Command } from '../command.js';
import { formatTable } from '../output.js';
import { formatBytes } from '../progress.js';
import { sourceOption } from './backup-setup.js';

/** A local snapshot as `--json` has always shown it, with a manifest's names where the two mean the same. */
interface ListedSnapshot {
  id: string;
  source: string;
  kind: string;
  finishedAt: string;
  files: number;
  bytesTotal: number;
  path: string | undefined;
}

/** A snapshot on the remote, as its listing there tells it. */
interface RemoteSnapshot {
  id: string;
  source: string;
  kind: string;
  startedAt: string;
  /** When the remote stored it. */
  storedAt: string;
}

/**
 * `keepwatch backup list`: the complete backups of every source in the repository (database
 * dumps with a manifest, data snapshots with a summary), oldest first. `--json` prints the
 * manifests and, for data snapshots, objects of `kind: "data"`. `--remote`: what `[backup] remote`
 * holds instead, read from the remote alone (the disaster drill on a machine whose own backups
 * are gone).
 */
export const backupList: Command = {
  words: ['backup', 'list'],
  summary:
    'list the complete backups in [backup] destination (database dumps and data snapshots), oldest first; --remote: those on [backup] remote',
  args: '[--source NAME] [--remote]',
  options: { source: { type: 'string' }, remote: { type: 'boolean', default: false } },
  async run(context) {
    const { config } = await context.loadConfig();
    const fromRemote = context.values.remote === true;
    if (fromRemote && !config.backup.remote)
      throw new UsageError('--remote lists what [backup] remote holds: set [backup] remote (KEEPWATCH_BACKUP_REMOTE)');
    // The remote only for --remote: a plain listing reads the destination alone.
    const repository = backupRepositoryFromConfig(config, {
      env: context.env,
      ...(fromRemote ? {} : { remote: null }),
    });
    const source = sourceOption(context.values, undefined, repository.sources);
    const entries = await repository.list({ ...(source ? { source } : {}), remote: fromRemote });
    if (fromRemote) {
      const label = repository.remote!;
      const backups = entries
        .map(remoteListed)
        .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
      context.print(backups, (listed) => {
        if (listed.length === 0) return `no backups on ${label}\n`;
        return (
          `backups on ${label}\n` +
          formatTable(
            ['id', 'source', 'kind', 'started', 'size', 'stored', 'compression', 'sha256'],
            listed.map((b) => [
              b.id,
              b.source,
              b.kind,
              b.startedAt.replace(/\.\d{3}Z$/, 'Z'),
              ...('checksum' in b ? dumpColumns(b) : ['-', '-', 'snapshot', '-']),
            ]),
          )
        );
      });
      return 0;
    }
    context.print(entries.map(localListed), (backups) => {
      if (backups.length === 0) return `no backups in ${config.backup.destination}\n`;
      // With --source every row is of one kind, so the column would say nothing.
      const withKind = source === undefined;
      return formatTable(
        ['id', 'source', ...(withKind ? ['kind'] : []), 'finished', 'size', 'stored', 'compression', 'sha256'],
        backups.map((b) => [
          b.id,
          b.source,
          ...(withKind ? [b.kind] : []),
          b.finishedAt.replace(/\.\d{3}Z$/, 'Z'),
          ...('checksum' in b
            ? dumpColumns(b)
            : // A snapshot is a plain tree whose unchanged files are links: its stored size is not its own.
              [formatBytes(b.bytesTotal), '-', `${b.files} files`, '-']),
        ]),
      );
    });
    return 0;
  },
};

function localListed(entry: BackupEntry): BackupManifest | ListedSnapshot {
  if (entry.type === 'dump') return entry.manifest;
  return {
    id: entry.id,
    source: entry.source,
    kind: entry.kind,
    finishedAt: entry.finishedAt,
    files: entry.files ?? 0,
    bytesTotal: entry.rawBytes,
    path: entry.path,
  };
}

function remoteListed(entry: BackupEntry): BackupManifest | RemoteSnapshot {
  if (entry.type === 'dump') return entry.manifest;
  return {
    id: entry.id,
    source: entry.source,
    kind: entry.kind,
    startedAt: entry.startedAt,
    storedAt: entry.finishedAt,
  };
}

function dumpColumns(b: BackupManifest): string[] {
  return [
    formatBytes(b.rawBytes),
    formatBytes(b.storedBytes),
    b.compression + (b.encryption ? '+age' : ''),
    b.checksum.value.slice(0, 12),
  ];
}
