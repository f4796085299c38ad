import { catalogOldestFirst, listBackupCatalog } from '@keepwatch/backup';
import { backupDestinationFromConfig, dataSnapshotDirFromConfig } from '@keepwatch/runtime';
import type { Command } from '../command.js';
import { formatTable } from '../output.js';
import { formatBytes } from '../progress.js';
import { sourceOption } from './backup-setup.js';

/**
 * `keepwatch backup list`: the complete backups (database dumps with a manifest, data snapshots
 * with a summary), oldest first. `--json` prints the manifests and, for data snapshots, objects
 * of `kind: "data"`.
 */
export const backupList: Command = {
  words: ['backup', 'list'],
  summary: 'list the complete backups in [backup] destination (database dumps and data snapshots), oldest first',
  args: '[--source NAME]',
  options: { source: { type: 'string' } },
  async run(context) {
    const source = sourceOption(context.values, undefined);
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
            ? [
                formatBytes(b.rawBytes),
                formatBytes(b.storedBytes),
                b.compression + (b.encryption ? '+age' : ''),
                b.checksum.value.slice(0, 12),
              ]
            : // A snapshot is a plain tree whose unchanged files are links: its stored size is not its own.
              [formatBytes(b.bytesTotal), '-', `${b.files} files`, '-']),
        ]),
      );
    });
    return 0;
  },
};
