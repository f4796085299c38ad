import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricsStore, createMetricsExposition, createMetricsStore, queueCollector } from '../src/index.js';
import { promtoolCheck } from './helpers/promtool.js';
import { connectRedis, deletePrefix, redisHost, redisPort, uniquePrefix } from './helpers/redis.js';
import { sampleValue } from './helpers/samples.js';

let redis: Redis;
let store: MetricsStore;
const prefix = uniquePrefix('queues');
const bullPrefix = `kw-test-metrics-bullq-${randomUUID().slice(0, 8)}`;
const connection = { host: redisHost, port: redisPort };
const queues: Queue[] = [];

beforeAll(async () => {
  redis = await connectRedis();
  store = createMetricsStore({ redis, keyPrefix: prefix, processMetrics: false });
});

afterAll(async () => {
  for (const queue of queues) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await store.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

describe('queueCollector', () => {
  it('shows jobs per state and the age of the oldest waiting job, read at scrape time', async () => {
    const backups = new Queue(`backup-${randomUUID()}`, { connection, prefix: bullPrefix });
    const idle = new Queue(`idle-${randomUUID()}`, { connection, prefix: bullPrefix });
    queues.push(backups, idle);
    await backups.add('a', {});
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await backups.add('b', {});
    await backups.add('later', {}, { delay: 60_000 });
    await backups.add('urgent', {}, { priority: 1 });

    const exposition = createMetricsExposition({ store, collectors: [queueCollector([backups, idle])] });
    const { body } = await exposition.render();
    const jobs = (queue: Queue, state: string) => sampleValue(body, 'pretix_queue_jobs', { queue: queue.name, state });
    expect(jobs(backups, 'waiting')).toBe(3);
    expect(jobs(backups, 'delayed')).toBe(1);
    expect(jobs(backups, 'active')).toBe(0);
    expect(jobs(backups, 'failed')).toBe(0);
    expect(jobs(idle, 'waiting')).toBe(0);
    const age = sampleValue(body, 'pretix_queue_oldest_waiting_job_age_seconds', { queue: backups.name });
    expect(age).toBeGreaterThanOrEqual(1);
    expect(age).toBeLessThan(30);
    expect(sampleValue(body, 'pretix_queue_oldest_waiting_job_age_seconds', { queue: idle.name })).toBe(0);
    expect((await promtoolCheck(body)).code).toBe(0);

    // Live: the next scrape sees the change without any flush.
    await backups.drain();
    expect(
      sampleValue((await exposition.render()).body, 'pretix_queue_jobs', { queue: backups.name, state: 'waiting' }),
    ).toBe(0);
  });

  it('leaves out the families of a failing collector and still serves the rest', async () => {
    const broken = {
      name: 'broken',
      getJobCounts: async () => Promise.reject(new Error('NOAUTH')),
      getWaiting: async () => [],
    };
    const exposition = createMetricsExposition({ store, collectors: [queueCollector([broken])] });
    const result = await exposition.scrape({});
    expect(result.status).toBe(200);
    expect(result.body).toContain('# TYPE pretix_view_requests_total counter');
    expect(result.body).not.toContain('pretix_queue_jobs');
  });
});
