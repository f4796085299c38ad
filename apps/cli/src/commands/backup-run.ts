import { tmpdir } from 'node:os';
import { BackupLockUnavailableError, removeLeftoverPasswordFiles, runBackup } from '@keepwatch/backup';
import {
  afterBackupFromConfig,
  backupOptionsFromConfig,
  backupRemoteFromConfig,
  createLogger,
  recordBackupRunFromConfig,
  runDataBackup,
  type BackupRunResult,
  type PruneOutcome,
} from '@keepwatch/runtime';
import type { Command } from '../command.js';
import { formatBytes, formatDuration, progressLine } from '../progress.js';
import { cliNotifications, notificationLine } from './backup-notify.js';
import { backupSetup, sourceOption, withSourceLock } from './backup-setup.js';

interface FollowUp {
  retention: PruneOutcome;
  remote: string | null;
}

/**
 * `keepwatch backup run`: one backup, in this process, under the same per-source Redis lock as
 * the workers, so it never overlaps a scheduled backup of the same source. Like a worker's, it
 * is followed by the remote copy (`[backup] remote`) and retention (`[backup] keep_*`).
 */
export const backupRun: Command = {
  words: ['backup', 'run'],
  summary:
    'back up a source now, in this process (waits for a running backup of it); --json prints the manifest or snapshot',
  args: '[--source database|data]',
  options: { source: { type: 'string' } },
  interruptible: true,
  async run(context) {
    const name = sourceOption(context.values, 'database')!;
    const { config } = await context.loadConfig();
    const leftovers = await removeLeftoverPasswordFiles(tmpdir());
    if (leftovers.length > 0)
      context.stderr.write(
        `keepwatch: removed database password files an earlier keepwatch left behind: ${leftovers.join(', ')}\n`,
      );
    const { destination, sources } = backupSetup(config);
    const source = name === 'data' ? undefined : sources.database;
    if (name !== 'data' && !source)
      return context.fail(`backup source "${name}" needs [database] url (KEEPWATCH_DATABASE_URL)`);
    const remote = backupRemoteFromConfig(config);
    const after = (source: string, id: string): Promise<FollowUp> =>
      afterBackupFromConfig(config, source, id, { remote, destination });
    const progress = progressLine(context.stderr, `backup ${name}`);
    // [notify]: sent while the backup runs and its result is printed; waited for (bounded) last.
    const notify = cliNotifications(config, context.stderr);
    const startedAt = new Date().toISOString();
    notify.notifier.started({ source: name });
    // keepwatch_backup_* as a worker records its jobs (with [metrics] enabled), so the alert rules
    // count a backup made by hand; sent alongside the notifications, before the command returns.
    const record = (result: BackupRunResult): Promise<void> =>
      recordBackupRunFromConfig(
        config,
        result,
        createLogger({ name: 'keepwatch', level: config.log.level, destination: context.stderr }),
      );
    try {
      if (!source) {
        const result = await withSourceLock(config, name, context.signal, async (signal) => {
          const outcome = await runDataBackup(sources.data, { signal });
          return { ...outcome, ...(await after('data', outcome.id)) };
        });
        progress.done();
        notify.notifier.succeeded(result);
        const [notifications] = await Promise.all([notify.finish(), record({ success: result })]);
        context.print(
          { ...result, ...(notifications ? { notifications } : {}) },
          (r) =>
            `snapshot ${r.id} done: ${r.files} files, ${formatBytes(r.bytesTotal)}; ` +
            `${r.filesCopied} copied (${formatBytes(r.bytesCopied)}), ${r.filesLinked} unchanged, ` +
            `in ${formatDuration(r.durationMs)}\n${followUpLine(r)}${notificationLine(notifications)}`,
        );
        return 0;
      }
      const options = backupOptionsFromConfig(config);
      const manifest = await withSourceLock(config, name, context.signal, async (signal) => {
        const made = await runBackup({
          source,
          destination,
          options,
          signal,
          ...(progress.listener ? { onProgress: progress.listener } : {}),
        });
        return { ...made, ...(await after(made.source, made.id)) };
      });
      progress.done();
      notify.notifier.succeeded(manifest);
      const [notifications] = await Promise.all([notify.finish(), record({ success: manifest })]);
      context.print({ ...manifest, ...(notifications ? { notifications } : {}) }, (m) => {
        const took = Date.parse(m.finishedAt) - Date.parse(m.startedAt);
        return (
          `backup ${m.id} done: ${formatBytes(m.rawBytes)} dumped, ${formatBytes(m.storedBytes)} stored ` +
          `(${m.compression}${m.encryption ? ', age' : ''}) in ${formatDuration(took)}\n${followUpLine(m)}` +
          notificationLine(notifications)
        );
      });
      return 0;
    } catch (error) {
      progress.done();
      notify.notifier.failed({ source: name, error, startedAt, finishedAt: new Date().toISOString() });
      // Not an attempt stopped by Ctrl-C, nor one that could not reach Redis (nor could its record).
      const failed = !context.signal.aborted && !(error instanceof BackupLockUnavailableError);
      const [notifications] = await Promise.all([notify.finish(), failed ? record({ failure: name }) : undefined]);
      if (notifications) context.stderr.write(`keepwatch: ${notificationLine(notifications)}`);
      throw error;
    } finally {
      progress.done();
    }
  },
};

function followUpLine({ retention, remote }: FollowUp): string {
  const removed =
    retention.removed.length > 0 ? `retention removed ${retention.removed.join(', ')}` : 'retention removed nothing';
  return `${remote ? `copied to ${remote}; ` : ''}${removed}\n`;
}
