export {
  createBackupNotifier,
  type BackupFailedEvent,
  type BackupNotifier,
  type BackupStartedEvent,
  type BackupSucceededEvent,
  type BackupWebhookBody,
  type NotificationStats,
} from './backup-notifier.js';
export { type BackupNotifierOptions, type NotificationKind, resolveNotifierOptions } from './notifier-options.js';
export { redactNotificationUrl } from './notification-text.js';
