import { errorMessage, isUnreachableCode } from '@keepwatch/errors';
import type { RedisClient } from './redis-client.js';
import type { Logger } from 'pino';

/**
 * True when an error says Redis could not be reached or did not answer (refused, reset, timed out,
 * gave up retrying, closed) rather than that it answered with an error.
 */
export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isUnreachableCode((error as { code?: unknown }).code)) return true;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    error.message === 'Command timed out' ||
    error.message.startsWith('Connection is closed') ||
    error.message.includes('ECONNREFUSED') ||
    error.message.startsWith("Stream isn't writeable")
  );
}

/** What emits BullMQ's `'error'`: a `Queue`, a `Worker`, a `QueueEvents`. */
export interface QueueErrorSource {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** How often the same queue error may be logged again. */
const REPEAT_AFTER_MS = 10 * 60_000;
// Messages can carry job ids; the memory of what was logged stays bounded.
const REMEMBERED = 100;
/** Longest error message logged; Redis echoes parts of a script or key in some replies. */
const MAX_MESSAGE = 500;

/**
 * Gives a BullMQ queue or worker the `'error'` listener it needs: without one BullMQ writes each
 * error to the console (a multi-line `Error: connect ECONNREFUSED` dump per reconnect attempt,
 * 64 lines in 3 s of a Redis outage).
 *
 * A lost connection is not logged here: the Redis client of `createRedisClient` logs the outage
 * once and its end once, and this emitter would repeat it for every retry. Any other error (Redis
 * answered with one, a script failed) is logged once per message every 10 minutes, so a loop that
 * keeps failing the same way writes one line, not one per turn.
 */
export function logQueueErrors(
  source: QueueErrorSource,
  connection: RedisClient,
  logger: Logger,
  bindings: Record<string, unknown> = {},
): void {
  const loggedAt = new Map<string, number>();
  source.on('error', (error) => {
    if (connection.status !== 'ready' || isRedisConnectionError(error)) return;
    const message = errorMessage(error);
    const now = Date.now();
    if (now - (loggedAt.get(message) ?? -Infinity) < REPEAT_AFTER_MS) return;
    if (loggedAt.size >= REMEMBERED) loggedAt.clear();
    loggedAt.set(message, now);
    // Not the error itself: an ioredis ReplyError carries `command.args`, which for BullMQ is a
    // whole Lua script and the job's data (seen with CROSSSLOT) — huge lines, and job contents in
    // the log. Its kind, code and (clipped) message say what went wrong (under `error`: pino's `err`
    // serializer would rename the kind of a plain object).
    const code = (error as { code?: unknown }).code;
    logger.error(
      {
        ...bindings,
        error: {
          type: error.name,
          message: message.slice(0, MAX_MESSAGE),
          ...(typeof code === 'string' ? { code } : {}),
        },
      },
      'job queue error',
    );
  });
}
