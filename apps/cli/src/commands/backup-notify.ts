import type { BackupNotifier, NotificationStats } from '@keepwatch/backup';
import type { KeepwatchConfig } from '@keepwatch/config';
import { backupNotifierFromConfig, createLogger } from '@keepwatch/runtime';

/** What `backup run` reports of its notifications (in `--json` as `notifications`). */
export interface NotificationSummary {
  sent: number;
  undelivered: NotificationStats['undelivered'];
}

export interface CliNotifications {
  readonly notifier: BackupNotifier;
  /**
   * Waits up to `[notify] timeout` for the notifications on their way, then gives up on the rest.
   * Undefined when `[notify]` sets no URL.
   */
  finish(): Promise<NotificationSummary | undefined>;
}

/**
 * `[notify]` for one `keepwatch backup run`. The notifications go out while the backup's result
 * is being printed; a notification that cannot be delivered is one pino JSON line on stderr
 * (its URL as scheme and host only), like the log of a worker.
 */
export function cliNotifications(config: Readonly<KeepwatchConfig>, stderr: NodeJS.WritableStream): CliNotifications {
  const logger = createLogger({ name: 'keepwatch', level: config.log.level, destination: stderr });
  const notifier = backupNotifierFromConfig(config, { sender: 'cli', logger: logger.child({ component: 'notify' }) });
  let finished: Promise<NotificationSummary | undefined> | undefined;
  return {
    notifier,
    finish: () => {
      finished ??= notifier.enabled ? notifier.close() : Promise.resolve(undefined);
      return finished;
    },
  };
}

/** `notifications: 2 sent, 1 not delivered (ping)`, for the human output. */
export function notificationLine(summary: NotificationSummary | undefined): string {
  if (!summary) return '';
  const lost = Object.entries(summary.undelivered).filter(([, n]) => n > 0);
  const total = lost.reduce((sum, [, n]) => sum + n, 0);
  const detail = lost.map(([kind, n]) => (n > 1 ? `${kind} ${n}` : kind)).join(', ');
  return `notifications: ${summary.sent} sent${total > 0 ? `, ${total} not delivered (${detail})` : ''}\n`;
}
