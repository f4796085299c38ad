import { isRedisConnectionError, type RedisClient } from '@keepwatch/runtime';
import { JobQueueUnavailableError } from '../errors.js';

const AGAIN = 'try again once Redis is back (the server reconnects by itself)';

/**
 * Runs one call on the BullMQ queue (add a job, read one) within `timeoutMs`, turning every way a
 * Redis outage shows into a {@link JobQueueUnavailableError}.
 *
 * Nothing is sent while `connection` is not connected: BullMQ would wait for the connection
 * without a bound (a queue first used while Redis is down waits for it forever), and a job sent
 * then would be added when Redis came back, long after the caller was told it failed. A frozen
 * Redis is bounded by the client's command timeout (2 s for the fail-fast client), and `timeoutMs`
 * bounds the whole call, however many commands it takes.
 */
export async function jobQueueCall<T>(connection: RedisClient, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  if (connection.status !== 'ready') {
    throw new JobQueueUnavailableError(`the job queue (Redis) is unreachable: not connected; ${AGAIN}`);
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new JobQueueUnavailableError(
            `the job queue (Redis) is unreachable: no answer within ${timeoutMs / 1000} s; ${AGAIN}`,
          ),
        ),
      timeoutMs,
    );
  });
  const work = call();
  // Once the deadline has answered, a late failure of the call has nobody left to tell.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } catch (error) {
    if (error instanceof JobQueueUnavailableError) throw error;
    if (isRedisConnectionError(error) || connection.status !== 'ready') {
      throw new JobQueueUnavailableError(`the job queue (Redis) is unreachable: no answer; ${AGAIN}`, { cause: error });
    }
    // Redis answered, with an error (out of memory, a read-only replica, a missing permission):
    // still the queue that cannot serve, and its words say why.
    if (error instanceof Error && error.name === 'ReplyError') {
      throw new JobQueueUnavailableError(`the job queue (Redis) refused the command: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
