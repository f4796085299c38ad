/**
 * Queue names, without the Redis prefix (BullMQ adds its own `prefix` option, which keepwatch
 * sets from `[redis] prefix`). Producers and consumers must agree on these, so they live here.
 */
export const QueueName = {
  /** Database and data-directory backups. One job per source at a time. */
  backup: 'backup',
  /** Periodic housekeeping: model instance counts, metric pruning. */
  maintenance: 'maintenance',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const allQueueNames: readonly QueueName[] = Object.values(QueueName);
