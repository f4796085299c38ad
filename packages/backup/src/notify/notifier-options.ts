import * as z from 'zod/mini';
import { BackupOptionsError } from '../errors.js';
import type { BackupLogger } from '../logger.js';
import { english, zodProblems } from '../zod-problems.js';
import { fillSource } from './ping-request.js';

/** Which of the two notifications: the webhook's JSON POST, or the dead-man's-switch ping. */
export type NotificationKind = 'webhook' | 'ping';

export interface BackupNotifierOptions {
  /**
   * POSTed a JSON body on every failed backup, and on every successful one with `onSuccess`.
   * Basic-auth user info in the URL is sent as an `Authorization` header.
   */
  webhookUrl?: string | undefined;
  /**
   * A dead-man's switch (healthchecks.io, or an Uptime Kuma push monitor): `<url>/start` when a
   * backup starts, `<url>` when it succeeds, `<url>/fail` when it fails. `{source}` anywhere in it
   * is replaced by the source's name.
   */
  pingUrl?: string | undefined;
  /** Also POST the webhook when a backup succeeds. @defaultValue false */
  onSuccess?: boolean;
  /** Bound of each attempt, connecting included. @defaultValue 5000 */
  timeoutMs?: number;
  /** Attempts per notification, the first included. @defaultValue 3 */
  attempts?: number;
  /** Wait before the second attempt; it doubles for each later one. @defaultValue 1000 */
  backoffMs?: number;
  /**
   * Strings that never leave in a notification (a database password, a token): replaced by
   * `[redacted]` wherever an error's text holds them. @defaultValue []
   */
  secrets?: readonly string[];
  /** Who sends, for the webhook body: `worker`, `cli`. @defaultValue 'keepwatch' */
  sender?: string;
  /** Where an undeliverable notification is logged (once, when given up). @defaultValue silent */
  logger?: BackupLogger;
  /** Called once per notification given up on, to count it. */
  onUndelivered?: (kind: NotificationKind) => void;
}

function notificationUrl(placeholder: boolean) {
  // The message never repeats the URL: its path or query is often the secret.
  return z.string().check(
    z.refine(
      (value) => {
        try {
          const url = placeholder ? fillSource(value, 'x') : new URL(value);
          return url.protocol === 'http:' || url.protocol === 'https:';
        } catch {
          return false;
        }
      },
      { message: 'expected an http:// or https:// URL' },
    ),
  );
}

const notifierOptionsSchema = z.object({
  webhookUrl: z.optional(notificationUrl(false)),
  pingUrl: z.optional(notificationUrl(true)),
  onSuccess: z._default(z.boolean(), false),
  timeoutMs: z._default(z.int().check(z.minimum(1), z.maximum(600_000)), 5000),
  attempts: z._default(z.int().check(z.minimum(1), z.maximum(20)), 3),
  backoffMs: z._default(z.int().check(z.minimum(0), z.maximum(600_000)), 1000),
  secrets: z._default(z.array(z.string()), []),
  sender: z._default(z.string().check(z.minLength(1), z.maxLength(100)), 'keepwatch'),
  logger: z.optional(z.custom<BackupLogger>((v) => typeof v === 'object' && v !== null)),
  onUndelivered: z.optional(z.custom<(kind: NotificationKind) => void>((v) => typeof v === 'function')),
});

export type ResolvedNotifierOptions = z.output<typeof notifierOptionsSchema>;

export function resolveNotifierOptions(options: BackupNotifierOptions): ResolvedNotifierOptions {
  const result = notifierOptionsSchema.safeParse(options, english);
  if (!result.success) {
    throw new BackupOptionsError('notification options', zodProblems(result.error, 'notification options'));
  }
  return result.data;
}
