import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueName } from '@keepwatch/jobs';
import { createMetricsStore, type MetricFamily } from '@keepwatch/metrics';
import { profilesDirectory } from '@keepwatch/runtime';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startWorker } from '../src/start-worker.js';
import { REDIS_URL, silentLogger, testQueue, testWorkerConfig } from './helpers/worker-harness.js';

const prefix = `kw-test-worker-profile-shutdown-${randomUUID()}:`;
const reader = new Redis(REDIS_URL);
// The test queue's close removes every key under the prefix.
afterAll(() => reader.disconnect());

describe('profile counts at shutdown', () => {
  it('has every job profile written before the worker stopped counted in Redis', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-worker-'));
    const loaded = await testWorkerConfig(dir, prefix, {
      KEEPWATCH_PROFILE_RATE: '1',
      KEEPWATCH_PROFILE_MAX_OVERHEAD: '1',
      KEEPWATCH_METRICS_ENABLED: 'true',
    });
    const { queue, events, close } = await testQueue(QueueName.maintenance, prefix);
    const worker = await startWorker({ loaded, logger: silentLogger(), handlers: { 'quick-task': async () => 'ok' } });
    let families: MetricFamily[];
    try {
      for (let i = 0; i < 2; i++) await (await queue.add('quick-task', {})).waitUntilFinished(events, 10_000);
      // At once, well inside the store's one-second flush: only the shutdown can send the counts.
      await worker.close();
      // Before the queue's close removes every key under the prefix; as a replica that declared nothing.
      const store = createMetricsStore({ redis: reader, keyPrefix: prefix, processMetrics: false });
      families = await store.read();
      await store.close();
    } finally {
      await close();
    }

    const files = (await readdir(profilesDirectory(loaded.config))).filter((name) => name.endsWith('.cpuprofile'));
    expect(files.length).toBeGreaterThan(0);
    const written = families.find((f) => f.name === 'keepwatch_profiles_written_total');
    expect(written?.values.find((v) => v.labels.kind === 'task')?.value).toBe(files.length);
  });
});
