/**
 * BullMQ's `prefix` option for keepwatch's queues, under keepwatch's Redis prefix: with the default
 * `keepwatch:` the backup queue's keys are `keepwatch:bull:backup:*`, so tests and tenants that
 * share a Redis never see each other's jobs.
 */
export function bullmqPrefix(redisPrefix: string): string {
  return `${redisPrefix.replace(/:+$/, '')}:bull`;
}
