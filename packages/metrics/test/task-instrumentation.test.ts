import { randomUUID } from 'node:crypto';
import { type Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MetricsStore,
  createMetricsStore,
  errorStatus,
  instrumentProcessor,
  instrumentTask,
} from '../src/index.js';
import { connectRedis, deletePrefix, redisHost, redisPort, uniquePrefix } from './helpers/redis.js';
import { familyValue } from './helpers/samples.js';

let redis: Redis;
let store: MetricsStore;
const prefix = uniquePrefix('tasks');
const bullPrefix = `kw-test-metrics-bull-${randomUUID().slice(0, 8)}`;

class PaymentDeclined extends Error {}

async function runs(taskName: string, status: string): Promise<number | undefined> {
  await store.flush();
  return familyValue(await store.read(), 'pretix_task_runs_total', { task_name: taskName, status });
}

async function timed(taskName: string): Promise<number | undefined> {
  const h = 'pretix_task_duration_seconds';
  return familyValue(await store.read(), h, { task_name: taskName }, `${h}_count`);
}

beforeAll(async () => {
  redis = await connectRedis();
  store = createMetricsStore({ redis, keyPrefix: prefix, flushIntervalMs: 3_600_000, processMetrics: false });
});

afterAll(async () => {
  await store.close();
  await deletePrefix(redis, prefix);
  const bullKeys = await redis.keys(`${bullPrefix}:*`);
  if (bullKeys.length > 0) await redis.del(...bullKeys);
  redis.disconnect();
});

describe('instrumentTask', () => {
  it('passes results and errors through unchanged, counting each outcome and timing only successes', async () => {
    const charge = instrumentTask(
      store,
      'charge',
      async (amount: number) => {
        if (amount < 0) throw new PaymentDeclined('declined');
        if (amount === 0) throw new TypeError('bug');
        await new Promise((resolve) => setTimeout(resolve, 30));
        return amount * 2;
      },
      { expected: [PaymentDeclined] },
    );
    expect(await charge(21)).toBe(42);
    await expect(charge(-1)).rejects.toBeInstanceOf(PaymentDeclined);
    await expect(charge(0)).rejects.toBeInstanceOf(TypeError);
    expect(await runs('charge', 'success')).toBe(1);
    expect(await runs('charge', 'expected-error')).toBe(1);
    expect(await runs('charge', 'error')).toBe(1);
    expect(await timed('charge')).toBe(1);
    const sum = familyValue(
      await store.read(),
      'pretix_task_duration_seconds',
      { task_name: 'charge' },
      'pretix_task_duration_seconds_sum',
    );
    expect(sum).toBeGreaterThanOrEqual(0.025);
  });

  it("takes BullMQ's UnrecoverableError as expected by default, matched by name", () => {
    expect(errorStatus(new UnrecoverableError('stop'))).toBe('expected-error');
    expect(errorStatus(new Error('x'))).toBe('error');
    expect(errorStatus('not an error')).toBe('error');
  });
});

describe('instrumentProcessor with a real BullMQ worker', () => {
  it('records every job it runs under the job name, with its outcome', async () => {
    const connection = { host: redisHost, port: redisPort };
    const queueName = `tasks-${randomUUID()}`;
    const queue = new Queue(queueName, { connection, prefix: bullPrefix });
    const events = new QueueEvents(queueName, { connection, prefix: bullPrefix });
    const worker = new Worker(
      queueName,
      instrumentProcessor(store, async (job: Job) => {
        if (job.data.outcome === 'unrecoverable') throw new UnrecoverableError('bad payload');
        if (job.data.outcome === 'fail') throw new Error('disk full');
        return 'done';
      }),
      { connection, prefix: bullPrefix },
    );
    try {
      await events.waitUntilReady();
      const jobs = await Promise.all([
        queue.add('backup', { outcome: 'ok' }),
        queue.add('backup', { outcome: 'ok' }),
        queue.add('backup', { outcome: 'fail' }),
        queue.add('prune', { outcome: 'unrecoverable' }),
      ]);
      await Promise.all(jobs.map((job) => job.waitUntilFinished(events, 15_000).catch(() => undefined)));
      expect(await runs('backup', 'success')).toBe(2);
      expect(await runs('backup', 'error')).toBe(1);
      expect(await runs('prune', 'expected-error')).toBe(1);
      expect(await timed('backup')).toBe(2);
      expect(await timed('prune')).toBeUndefined();
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
