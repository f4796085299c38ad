import { profileTask, type Profiler } from '@keepwatch/profiler';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';

/** BullMQ's processor arguments: the job, its lock token, and the signal that cancels it. */
export type JobHandler = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;
export type JobHandlers = Record<string, JobHandler>;

/**
 * One BullMQ processor that sends each job to the handler for its name, profiled at
 * `[profile] worker_rate`. A job nobody handles is failed for good (retrying cannot help), with a
 * message that names it.
 */
export function createJobRouter(handlers: JobHandlers, logger: Logger, profiler: Profiler): JobHandler {
  return async (job, token, signal) => {
    const handler = handlers[job.name];
    if (!handler) {
      throw new UnrecoverableError(
        `no handler for job "${job.name}" on queue "${job.queueName}"; this worker handles: ${Object.keys(handlers).join(', ') || 'nothing'}`,
      );
    }
    const log = logger.child({ queue: job.queueName, job: job.name, jobId: job.id });
    log.debug('job started');
    const result = await profileTask(profiler, job.name, () => handler(job, token, signal));
    log.debug('job done');
    return result;
  };
}
