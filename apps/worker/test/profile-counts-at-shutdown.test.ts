import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueName } from '@keepwatch/jobs';
import { metricsKeys } from '@keepwatch/metrics';
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
    let counts: Record<string, string>;
    try {
      for (let i = 0; i < 2; i++) await (await queue.add('quick-task', {})).waitUntilFinished(events, 10_000);
      // At once, well inside the counter's one-second batch: only the shutdown can send the counts.
      await worker.close();
      // Before the queue's close removes every key under the prefix.
      counts = await reader.hgetall(metricsKeys(prefix).family('profiles'));
    } finally {
      await close();
    }

    const files = (await readdir(profilesDirectory(loaded.config))).filter((name) => name.endsWith('.cpuprofile'));
    expect(files.length).toBeGreaterThan(0);
    expect(Number(counts['written:task'])).toBe(files.length);
  });
});
