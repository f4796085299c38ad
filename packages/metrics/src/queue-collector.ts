import type { MetricFamily, ScrapeCollector } from './metric-family.js';

/**
 * The part of a BullMQ `Queue` the collector calls; a real Queue fits, and the package does
 * not depend on bullmq for it.
 */
export interface QueueLike {
  readonly name: string;
  getJobCounts(...types: never[]): Promise<Record<string, number>>;
  getWaiting(start?: number, end?: number): Promise<Array<{ timestamp: number } | undefined>>;
}

const states = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * Queue gauges read live at scrape time (so they are never stale, and cost one round trip per
 * queue per scrape): jobs per state, and the age of the oldest job still waiting.
 */
export function queueCollector(queues: readonly QueueLike[], now: () => number = Date.now): ScrapeCollector {
  return async (namespace) => {
    const jobs: MetricFamily = {
      name: `${namespace}_queue_jobs`,
      help: 'Jobs per BullMQ queue and state (waiting includes prioritized), read at scrape time.',
      type: 'gauge',
      values: [],
    };
    const age: MetricFamily = {
      name: `${namespace}_queue_oldest_waiting_job_age_seconds`,
      help: 'Age of the oldest job waiting in each BullMQ queue (0 when none waits), read at scrape time.',
      type: 'gauge',
      values: [],
    };
    await Promise.all(
      queues.map(async (queue) => {
        const getCounts = queue.getJobCounts.bind(queue) as (...types: string[]) => Promise<Record<string, number>>;
        const [counts, oldest] = await Promise.all([
          getCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'),
          // getWaiting lists oldest first (it reads the wait list in ascending order).
          queue.getWaiting(0, 0),
        ]);
        for (const state of states) {
          const value = (counts[state] ?? 0) + (state === 'waiting' ? (counts.prioritized ?? 0) : 0);
          jobs.values.push({ labels: { queue: queue.name, state }, value });
        }
        const timestamp = oldest[0]?.timestamp;
        age.values.push({
          labels: { queue: queue.name },
          value: timestamp ? Math.max(0, (now() - timestamp) / 1000) : 0,
        });
      }),
    );
    return [jobs, age];
  };
}
