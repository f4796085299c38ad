import { listBackups } from '@keepwatch/backup';
import { backupDestinationFromConfig } from '@keepwatch/runtime';
import type { Command } from '../command.js';
import { formatTable, writeJson } from '../output.js';
import { formatBytes } from '../progress.js';
import { asUsage, noPositionals, sourceOption } from './backup-setup.js';

/** `keepwatch backup list`: the complete backups (those with a manifest), oldest first. */
export const backupList: Command = {
  words: ['backup', 'list'],
  summary: 'list the complete backups in [backup] destination, oldest first; --json prints their manifests',
  args: '[--source NAME]',
  options: { source: { type: 'string' } },
  run: (context) =>
    asUsage(async () => {
      noPositionals(context);
      const source = sourceOption(context.values, undefined);
      const { config } = await context.loadConfig();
      const manifests = await listBackups(backupDestinationFromConfig(config), source ? { source } : {});
      if (context.json) {
        writeJson(context.stdout, manifests);
        return 0;
      }
      if (manifests.length === 0) {
        context.stdout.write(`no backups in ${config.backup.destination}\n`);
        return 0;
      }
      context.stdout.write(
        formatTable(
          ['id', 'source', 'finished', 'size', 'stored', 'compression', 'sha256'],
          manifests.map((m) => [
            m.id,
            m.source,
            m.finishedAt.replace(/\.\d{3}Z$/, 'Z'),
            formatBytes(m.rawBytes),
            formatBytes(m.storedBytes),
            m.compression + (m.encryption ? '+age' : ''),
            m.checksum.value.slice(0, 12),
          ]),
        ),
      );
      return 0;
    }),
};
