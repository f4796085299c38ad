import { KeepwatchError } from '@keepwatch/errors';

/** A job payload that does not match its schema: a producer and a consumer disagree. */
export class JobPayloadError extends KeepwatchError<'KW_JOB_PAYLOAD_INVALID'> {
  static readonly code = 'KW_JOB_PAYLOAD_INVALID';
  constructor(jobName: string, problems: string[]) {
    super(JobPayloadError.code, `job "${jobName}" has an invalid payload: ${problems.join('; ')}`);
  }
}
