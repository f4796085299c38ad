import { listBackups, listSnapshots } from '@keepwatch/backup';
import { backupDestinationFromConfig, dataSnapshotDirFromConfig } from '@keepwatch/runtime';
import type { Command } from '../command.js';
import { formatTable } from '../output.js';
import { formatBytes } from '../progress.js';
import { sourceOption } from './backup-setup.js';

/** One row of the listing, whichever kind of backup it is. */
interface Row {
  id: string;
  source: string;
  kind: string;
  finished: string;
  cells: [size: string, stored: string, compression: string, sha256: string];
}

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
    const manifests = source === 'data' ? [] : await listBackups(backupDestinationFromConfig(config), source ? { source } : {});
    const snapshots =
      source === undefined || source === 'data'
        ? (await listSnapshots(dataSnapshotDirFromConfig(config))).filter((s) => s.state === 'complete')
        : [];
    const data = snapshots.map((s) => ({
      id: s.id,
      source: 'data',
      kind: 'data',
      finishedAt: s.finishedAt.toISOString(),
      files: s.files ?? 0,
      bytesTotal: s.bytesTotal ?? 0,
      path: s.path,
    }));
    context.print([...manifests, ...data].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt)), () => {
      const rows: Row[] = [
        ...manifests.map((m) => ({
          id: m.id,
          source: m.source,
          kind: m.kind,
          finished: m.finishedAt,
          cells: [formatBytes(m.rawBytes), formatBytes(m.storedBytes), m.compression + (m.encryption ? '+age' : ''), m.checksum.value.slice(0, 12)],
        })),
        // A snapshot is a plain tree whose unchanged files are links: its stored size is not its own.
        ...data.map((d) => ({ id: d.id, source: 'data', kind: 'data', finished: d.finishedAt, cells: [formatBytes(d.bytesTotal), '-', `${d.files} files`, '-'] })),
      ].sort((a, b) => a.finished.localeCompare(b.finished)) as Row[];
      if (rows.length === 0) return `no backups in ${config.backup.destination}\n`;
      // With --source every row is of one kind, so the column would say nothing.
      const withKind = source === undefined;
      return formatTable(
        ['id', 'source', ...(withKind ? ['kind'] : []), 'finished', 'size', 'stored', 'compression', 'sha256'],
        rows.map((r) => [r.id, r.source, ...(withKind ? [r.kind] : []), r.finished.replace(/\.\d{3}Z$/, 'Z'), ...r.cells]),
      );
    });
    return 0;
  },
};
