import { KeepwatchError } from '@keepwatch/errors';

/**
 * The job queue (Redis) cannot take or report a job now: not connected, not answering in time,
 * or answering with an error. The admin API answers 503 with this message.
 */
export class JobQueueUnavailableError extends KeepwatchError<'KW_JOB_QUEUE_UNAVAILABLE'> {
  static readonly code = 'KW_JOB_QUEUE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(JobQueueUnavailableError.code, message, options);
  }
}
