import { type BackupManifest, catalogOldestFirst, listBackupCatalog } from '@keepwatch/backup';
import {
  backupDestinationFromConfig,
  backupRemoteFromConfig,
  dataSnapshotDirFromConfig,
  listRemoteBackups,
  remoteCatalogOldestFirst,
} from '@keepwatch/runtime/backup';
import { UsageError } from '@keepwatch/runtime/main';
import type { Command, CommandContext } from '../command.js';
import { formatTable } from '../output.js';
import { formatBytes } from '../progress.js';
import { sourceOption } from './backup-setup.js';

/**
 * `keepwatch backup list`: the complete backups (database dumps with a manifest, data snapshots
 * with a summary), oldest first. `--json` prints the manifests and, for data snapshots, objects
 * of `kind: "data"`. `--remote`: what `[backup] remote` holds instead, read from the remote alone
 * (the disaster drill on a machine whose own backups are gone).
 */
export const backupList: Command = {
  words: ['backup', 'list'],
  summary:
    'list the complete backups in [backup] destination (database dumps and data snapshots), oldest first; --remote: those on [backup] remote',
  args: '[--source NAME] [--remote]',
  options: { source: { type: 'string' }, remote: { type: 'boolean', default: false } },
  async run(context) {
    const source = sourceOption(context.values, undefined);
    if (context.values.remote === true) return listRemote(context, source);
    const { config } = await context.loadConfig();
    const catalog = await listBackupCatalog({
      destination: backupDestinationFromConfig(config),
      snapshotsDirectory: dataSnapshotDirFromConfig(config),
      source,
    });
    context.print(catalogOldestFirst(catalog), (backups) => {
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

async function listRemote(context: CommandContext, source: string | undefined): Promise<number> {
  const { config } = await context.loadConfig();
  const remote = backupRemoteFromConfig(config);
  if (!remote)
    throw new UsageError('--remote lists what [backup] remote holds: set [backup] remote (KEEPWATCH_BACKUP_REMOTE)');
  const catalog = await listRemoteBackups(remote, {
    scratchParent: config.backup.destination,
    ...(source ? { source } : {}),
  });
  context.print(remoteCatalogOldestFirst(catalog), (backups) => {
    if (backups.length === 0) return `no backups on ${catalog.remote}\n`;
    return (
      `backups on ${catalog.remote}\n` +
      formatTable(
        ['id', 'source', 'kind', 'started', 'size', 'stored', 'compression', 'sha256'],
        backups.map((b) => [
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

function dumpColumns(b: BackupManifest): string[] {
  return [
    formatBytes(b.rawBytes),
    formatBytes(b.storedBytes),
    b.compression + (b.encryption ? '+age' : ''),
    b.checksum.value.slice(0, 12),
  ];
}
