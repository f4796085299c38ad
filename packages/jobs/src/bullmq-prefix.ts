export interface BullmqPrefixOptions {
  /**
   * The queues live on a Redis Cluster: BullMQ's scripts touch several keys of a queue at once,
   * which a Cluster only allows within one hash slot, so the prefix becomes a hash tag.
   * @defaultValue false
   */
  cluster?: boolean;
}

/**
 * BullMQ's `prefix` option for keepwatch's queues, under keepwatch's Redis prefix: with the default
 * `keepwatch:` the backup queue's keys are `keepwatch:bull:backup:*`, so tests and tenants that
 * share a Redis never see each other's jobs. On a Cluster they are `{keepwatch:bull}:backup:*`:
 * every queue of one prefix on one slot (BullMQ's documented way), while a single Redis or a
 * Sentinel master keeps the keys it always had.
 */
export function bullmqPrefix(redisPrefix: string, options: BullmqPrefixOptions = {}): string {
  const prefix = `${redisPrefix.replace(/:+$/, '')}:bull`;
  return options.cluster ? `{${prefix}}` : prefix;
}
