import { tmpdir } from 'node:os';
import { BackupLockUnavailableError, removeLeftoverPasswordFiles } from '@keepwatch/backup';
import {
  backupRepositoryFromConfig,
  backupRunOutcome,
  createLogger,
  recordBackupRunFromConfig,
  type BackupRunResult,
  type PruneOutcome,
} from '@keepwatch/runtime';
import type { Command } from '../command.js';
import { formatBytes, formatDuration, progressLine } from '../progress.js';
import { cliNotifications, notificationLine } from './backup-notify.js';
import { sourceOption, withSourceLock } from './backup-setup.js';

interface FollowUp {
  retention: PruneOutcome;
  remote: string | null;
}

/**
 * `keepwatch backup run`: one backup, in this process, under the same per-source Redis lock as
 * the workers, so it never overlaps a scheduled backup of the same source. Like a worker's, it
 * is `repository.run(source)`: the backup, then the remote copy (`[backup] remote`) and retention
 * (`[backup] keep_*`).
 */
export const backupRun: Command = {
  words: ['backup', 'run'],
  summary:
    'back up a source now, in this process (waits for a running backup of it); --json prints the manifest or snapshot',
  args: '[--source database|data]',
  options: { source: { type: 'string' } },
  interruptible: true,
  async run(context) {
    const { config } = await context.loadConfig();
    const repository = backupRepositoryFromConfig(config, { env: context.env });
    const name = sourceOption(context.values, 'database', repository.sources)!;
    const leftovers = await removeLeftoverPasswordFiles(tmpdir());
    if (leftovers.length > 0)
      context.stderr.write(
        `keepwatch: removed database password files an earlier keepwatch left behind: ${leftovers.join(', ')}\n`,
      );
    // Not runnable (`database` without its URL): the repository says how to set it, before anything is sent.
    if (!repository.runnable.includes(name)) await repository.run(name);
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
      const result = backupRunOutcome(
        await withSourceLock(config, name, context.signal, (signal) =>
          repository.run(name, { signal, ...(progress.listener ? { onProgress: progress.listener } : {}) }),
        ),
      );
      progress.done();
      notify.notifier.succeeded(result);
      const [notifications] = await Promise.all([notify.finish(), record({ success: result })]);
      context.print({ ...result, ...(notifications ? { notifications } : {}) }, (r) =>
        'bytesCopied' in r
          ? `snapshot ${r.id} done: ${r.files} files, ${formatBytes(r.bytesTotal)}; ` +
            `${r.filesCopied} copied (${formatBytes(r.bytesCopied)}), ${r.filesLinked} unchanged, ` +
            `in ${formatDuration(r.durationMs)}\n${followUpLine(r)}${notificationLine(notifications)}`
          : `backup ${r.id} done: ${formatBytes(r.rawBytes)} dumped, ${formatBytes(r.storedBytes)} stored ` +
            `(${r.compression}${r.encryption ? ', age' : ''}) in ${formatDuration(Date.parse(r.finishedAt) - Date.parse(r.startedAt))}\n` +
            `${followUpLine(r)}${notificationLine(notifications)}`,
      );
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
