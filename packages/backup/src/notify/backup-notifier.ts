import { hostname } from 'node:os';
import { silentLogger } from '../logger.js';
import { keepwatchVersion } from '../version.js';
import { deliver, type DeliveryPolicy, type NotificationRequest } from './http-delivery.js';
import { errorText, redactNotificationUrl } from './notification-text.js';
import { type BackupNotifierOptions, type NotificationKind, resolveNotifierOptions } from './notifier-options.js';
import { pingRequest, type PingEvent } from './ping-request.js';

export interface BackupStartedEvent {
  source: string;
}

export interface BackupSucceededEvent {
  source: string;
  id: string;
  startedAt: string;
  finishedAt: string;
  /** What the backup takes on disk (a dump's stored file, a snapshot's files). */
  storedBytes?: number;
  /** What the database tool wrote before compression. */
  rawBytes?: number;
}

export interface BackupFailedEvent {
  source: string;
  error: unknown;
  /** When the failing backup had an id already. */
  id?: string | null;
  startedAt?: string;
  finishedAt?: string;
  /** This attempt (1 for the first) and how many the job may make, when a queue retries it. */
  attempt?: number;
  attempts?: number;
  /** Whether the queue will try again. */
  willRetry?: boolean;
}

/** The JSON body the webhook receives. */
export interface BackupWebhookBody {
  event: 'backup.failed' | 'backup.succeeded';
  source: string;
  id: string | null;
  /** `KW_CODE: message`, secrets redacted; null on success. */
  error: string | null;
  code: string | null;
  startedAt: string | null;
  finishedAt: string;
  durationMs: number | null;
  storedBytes: number | null;
  rawBytes: number | null;
  attempt: number | null;
  attempts: number | null;
  willRetry: boolean | null;
  sender: string;
  host: string;
  version: string;
}

export interface NotificationStats {
  sent: number;
  undelivered: Record<NotificationKind, number>;
}

export interface BackupNotifier {
  /** False when neither URL is set: every call is a no-op. */
  readonly enabled: boolean;
  started(event: BackupStartedEvent): void;
  succeeded(event: BackupSucceededEvent): void;
  failed(event: BackupFailedEvent): void;
  stats(): NotificationStats;
  /**
   * Waits up to `waitMs` (default: the per-attempt timeout) for the notifications on their way,
   * then gives up on the rest, each logged and counted. Never rejects; sends nothing afterwards.
   */
  close(waitMs?: number): Promise<NotificationStats>;
}

/**
 * Tells a webhook and a dead-man's switch about backups, in the background: every method returns
 * at once, and a receiver that is down or never answers costs the backup nothing. Each
 * notification is tried `attempts` times with backoff, each attempt bounded by `timeoutMs`; one
 * that cannot be delivered is logged once and passed to `onUndelivered`. The notifications of
 * one URL go out in order, so a slow `/start` is never overtaken by the success that follows it
 * (healthchecks.io would take the late start for a new run and report it missing).
 */
export function createBackupNotifier(options: BackupNotifierOptions): BackupNotifier {
  const opts = resolveNotifierOptions(options);
  const logger = opts.logger ?? silentLogger;
  const shutdown = new AbortController();
  const policy: DeliveryPolicy = {
    attempts: opts.attempts,
    timeoutMs: opts.timeoutMs,
    backoffMs: opts.backoffMs,
    userAgent: `keepwatch/${keepwatchVersion}`,
    signal: shutdown.signal,
  };
  const stats: NotificationStats = { sent: 0, undelivered: { webhook: 0, ping: 0 } };
  const queues = new Map<string, Promise<void>>();
  const pending = new Set<Promise<void>>();
  let closed = false;

  const send = (kind: NotificationKind, event: string, source: string, request: NotificationRequest) => {
    if (closed) return;
    const key = `${kind} ${request.url.origin}${request.url.pathname.replace(/\/(start|fail)$/, '')}`;
    const run = async () => {
      const result = await deliver(request, policy);
      const about = { notification: kind, event, source, target: redactNotificationUrl(request.url) };
      if (result.ok) {
        stats.sent++;
        logger.debug({ ...about, attempts: result.attempts, status: result.status }, 'notification sent');
        return;
      }
      stats.undelivered[kind]++;
      logger.warn(
        {
          ...about,
          attempts: result.attempts,
          reason: result.reason,
          ...(result.status ? { status: result.status } : {}),
        },
        'notification not delivered',
      );
      try {
        opts.onUndelivered?.(kind);
      } catch {
        // A counter that fails must not turn into an unhandled rejection.
      }
    };
    const next = (queues.get(key) ?? Promise.resolve()).then(run);
    queues.set(key, next);
    pending.add(next);
    void next.finally(() => {
      pending.delete(next);
      if (queues.get(key) === next) queues.delete(key);
    });
  };

  const ping = (event: PingEvent, source: string, message: string) => {
    if (!opts.pingUrl) return;
    const request = pingRequest(opts.pingUrl, source, event, message);
    if (request) send('ping', event, source, request);
  };

  const webhook = (body: BackupWebhookBody) => {
    if (!opts.webhookUrl) return;
    send('webhook', body.event, body.source, {
      url: new URL(opts.webhookUrl),
      method: 'POST',
      body: JSON.stringify(body),
      contentType: 'application/json',
    });
  };

  const common = { sender: opts.sender, host: hostname(), version: keepwatchVersion };

  return {
    enabled: Boolean(opts.webhookUrl || opts.pingUrl),
    started({ source }) {
      ping('start', source, `backup of ${source} started on ${common.host}`);
    },
    succeeded(event) {
      const durationMs = Date.parse(event.finishedAt) - Date.parse(event.startedAt);
      const size = event.storedBytes === undefined ? '' : `, ${event.storedBytes} bytes`;
      ping('success', event.source, `backup ${event.id} done in ${(durationMs / 1000).toFixed(1)} s${size}`);
      if (!opts.onSuccess) return;
      webhook({
        event: 'backup.succeeded',
        source: event.source,
        id: event.id,
        error: null,
        code: null,
        startedAt: event.startedAt,
        finishedAt: event.finishedAt,
        durationMs,
        storedBytes: event.storedBytes ?? null,
        rawBytes: event.rawBytes ?? null,
        attempt: null,
        attempts: null,
        willRetry: null,
        ...common,
      });
    },
    failed(event) {
      const { text, code } = errorText(event.error, opts.secrets);
      const finishedAt = event.finishedAt ?? new Date().toISOString();
      const retry =
        event.willRetry && event.attempt && event.attempts
          ? ` (attempt ${event.attempt} of ${event.attempts}; will retry)`
          : '';
      ping('fail', event.source, `backup of ${event.source} failed${retry}: ${text}`);
      webhook({
        event: 'backup.failed',
        source: event.source,
        id: event.id ?? null,
        error: text,
        code,
        startedAt: event.startedAt ?? null,
        finishedAt,
        durationMs: event.startedAt ? Date.parse(finishedAt) - Date.parse(event.startedAt) : null,
        storedBytes: null,
        rawBytes: null,
        attempt: event.attempt ?? null,
        attempts: event.attempts ?? null,
        willRetry: event.willRetry ?? null,
        ...common,
      });
    },
    stats: () => structuredClone(stats),
    async close(waitMs = opts.timeoutMs) {
      closed = true;
      if (pending.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, waitMs);
        });
        await Promise.race([Promise.allSettled([...pending]), waited]);
        clearTimeout(timer);
        // Whatever is still on its way stops now, and is logged and counted as undelivered.
        shutdown.abort();
        await Promise.allSettled([...pending]);
      }
      return structuredClone(stats);
    },
  };
}
