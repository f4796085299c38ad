import { createBackupNotifier, type BackupLogger, type BackupNotifier, type NotificationKind } from '@keepwatch/backup';
import { type KeepwatchConfig, settings } from '@keepwatch/config';
import type { FamilyDeclarations } from '@keepwatch/metrics';

/** Query parameters whose value is a credential (`?password=` of a Redis URL, a token). */
const SECRET_PARAMETER = /pass|pwd|secret|token|key|auth|cred|sig/i;

/**
 * Every secret value of the config, as it may show up in an error's text: each secret setting
 * whole, and of a URL its password (as written and %-decoded) and credential-like query values.
 * A notification goes to a third party (a chat channel, a paging service), and a tool's error
 * can echo what it was given.
 */
export function configSecrets(config: Readonly<KeepwatchConfig>): string[] {
  const found = new Set<string>();
  for (const [section, keys] of Object.entries(settings)) {
    for (const [key, setting] of Object.entries(keys as Record<string, { secret: boolean }>)) {
      const value = (config as unknown as Record<string, Record<string, unknown>>)[section]?.[key];
      if (!setting.secret || typeof value !== 'string' || value === '') continue;
      found.add(value);
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        continue;
      }
      if (url.password) {
        found.add(url.password);
        found.add(safeDecode(url.password));
      }
      for (const [name, parameter] of url.searchParams)
        if (SECRET_PARAMETER.test(name) && parameter) found.add(parameter);
    }
  }
  return [...found];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface NotifierFromConfigOptions {
  /** `worker` or `cli`, in the webhook body. */
  sender: string;
  logger?: BackupLogger;
  /**
   * Counts each notification given up on in `keepwatch_notifications_failed_total{kind}`, fleet
   * wide, shown from 0 once `[notify]` is set. Unset (the CLI): the count is the caller's, from
   * the notifier's stats.
   */
  metrics?: Pick<FamilyDeclarations, 'counter'> | undefined;
}

/**
 * The backup notifier of `[notify]`: a no-op without webhook_url and ping_url. Error texts lose
 * every secret of the config and any URL password or query value before they leave.
 */
export function backupNotifierFromConfig(
  config: Readonly<KeepwatchConfig>,
  options: NotifierFromConfigOptions,
): BackupNotifier {
  const { notify } = config;
  return createBackupNotifier({
    webhookUrl: notify.webhook_url,
    pingUrl: notify.ping_url,
    onSuccess: notify.on_success,
    timeoutMs: notify.timeout,
    secrets: configSecrets(config),
    sender: options.sender,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.metrics && (notify.webhook_url || notify.ping_url)
      ? { onUndelivered: undeliveredCounter(options.metrics) }
      : {}),
  });
}

function undeliveredCounter(metrics: Pick<FamilyDeclarations, 'counter'>): (kind: NotificationKind) => void {
  const failed = metrics.counter({
    name: 'keepwatch_notifications_failed_total',
    help: 'Backup notifications ([notify] webhook_url, ping_url) given up on after every attempt.',
    labelNames: ['kind'],
  });
  const kinds: NotificationKind[] = ['webhook', 'ping'];
  // From 0, so increase() sees the first one.
  for (const kind of kinds) failed.inc({ kind }, 0);
  return (kind) => failed.inc({ kind });
}
