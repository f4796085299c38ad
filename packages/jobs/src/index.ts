export { QueueName, allQueueNames } from './queue-names.js';
export { JobPayloadError } from './errors.js';
export { parsePayload } from './parse-payload.js';
export {
  BackupJobName,
  backupJobDefaults,
  backupJobPayloadSchema,
  backupSourceNameSchema,
  type BackupJobPayload,
} from './backup-job.js';
export { bullmqPrefix, type BullmqPrefixOptions } from './bullmq-prefix.js';
export { MaintenanceJobName } from './maintenance-jobs.js';
