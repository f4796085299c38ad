import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { createMetricsStore } from '@keepwatch/metrics';
import { profilesDirectory } from '@keepwatch/runtime';
import { removeKeys } from '@keepwatch/test-support/redis';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_URL, startTestServer } from './helpers/server.js';

const prefix = `kw-test-profile-shutdown-${randomUUID()}:`;
const reader = new Redis(REDIS_URL);
afterAll(async () => {
  await removeKeys(reader, `*${prefix}*`);
  reader.disconnect();
});

describe('profile counts at shutdown', () => {
  it('has every profile written before the server stopped counted in Redis', async () => {
    const server = await startTestServer({
      KEEPWATCH_PROFILE_RATE: '1',
      KEEPWATCH_PROFILE_MAX_OVERHEAD: '1',
      KEEPWATCH_REDIS_URL: REDIS_URL,
      KEEPWATCH_REDIS_PREFIX: prefix,
      KEEPWATCH_METRICS_ENABLED: 'true',
    });
    for (let i = 0; i < 3; i++) {
      await (await fetch(`${server.url}/healthcheck/live`, { signal: AbortSignal.timeout(5000) })).text();
    }
    // At once, well inside the store's one-second flush: only the shutdown can send the counts.
    await server.close();

    const files = (await readdir(profilesDirectory(server.config))).filter((name) => name.endsWith('.cpuprofile'));
    expect(files.length).toBeGreaterThan(0);
    // As a replica that declared nothing reads them.
    const store = createMetricsStore({ redis: reader, keyPrefix: prefix, processMetrics: false });
    const families = await store.read();
    await store.close();
    const written = families.find((f) => f.name === 'keepwatch_profiles_written_total');
    expect(written?.values.find((v) => v.labels.kind === 'request')?.value).toBe(files.length);
  });
});
