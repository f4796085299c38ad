import { Redis } from 'ioredis';

// The test Redis (tooling/test-support's REDIS_URL) and the part of a key every test puts in the
// names it writes there: its file's own prefix starts `kw-test-` (`kw-test-worker-<uuid>:`), and
// the metrics store wraps it in a hash tag (`{kw-test-…:metrics}:…`), hence the leading `*`.
const REDIS_URL = 'redis://127.0.0.1:6379/0';
const TEST_KEYS = '*kw-test-*';
const LISTED = 50;

/**
 * A vitest globalSetup: fails the run, naming them, when test keys are left in Redis.
 *
 * It lists the test keys before the first test file starts and again after the last one ended,
 * so files running in parallel, each under its own prefix, cannot trip it, and keys that were
 * there before the run are not blamed on it. Keys another test run writes at the same time into
 * the same Redis would be. Without a Redis to reach there is nothing to check.
 */
export default async function redisLeakCheck() {
  const before = await testKeys();
  if (!before) return undefined;
  return async function teardown() {
    const after = await testKeys();
    if (!after) {
      console.error(
        'redis-leak-check: Redis at 127.0.0.1:6379 did not answer after the run; the test keys were not checked.',
      );
      return;
    }
    const leaked = [...after].filter((key) => !before.has(key)).sort();
    if (leaked.length === 0) return;
    process.exitCode = 1;
    const shown = leaked.slice(0, LISTED).map((key) => `  ${key}`);
    if (leaked.length > LISTED) shown.push(`  … and ${leaked.length - LISTED} more`);
    console.error(
      [
        `redis-leak-check: this run left ${leaked.length} key${leaked.length === 1 ? '' : 's'} matching ${TEST_KEYS} in Redis; ` +
          "the test file that wrote them should remove them in its afterAll (test-support's removeKeys):",
        ...shown,
      ].join('\n'),
    );
  };
}

/** The keys matching TEST_KEYS, or undefined when Redis cannot be reached. */
async function testKeys() {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch {
    redis.disconnect();
    return undefined;
  }
  try {
    const keys = new Set();
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', TEST_KEYS, 'COUNT', 1000);
      cursor = next;
      for (const key of batch) keys.add(key);
    } while (cursor !== '0');
    return keys;
  } finally {
    redis.disconnect();
  }
}
