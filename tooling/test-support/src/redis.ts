/** The test Redis on loopback, database 0. */
export const REDIS_URL = 'redis://127.0.0.1:6379/0';

/**
 * The two commands `removeKeys` needs, typed structurally so this package does not depend on
 * ioredis: an ioredis `Redis` (or `Cluster` node) fits as it is.
 */
export interface RedisKeyRemover {
  scan(
    cursor: string,
    matchToken: 'MATCH',
    pattern: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<[cursor: string, keys: string[]]>;
  del(...keys: string[]): Promise<number>;
}

const SCAN_COUNT = 500;
const DEL_BATCH = 500;

/**
 * Deletes every key matching the glob `pattern` (e.g. `*${prefix}*`), walking the keyspace with
 * SCAN rather than KEYS and deleting in batches of at most 500 keys per DEL. Returns how many
 * keys were deleted.
 */
export async function removeKeys(redis: RedisKeyRemover, pattern: string): Promise<number> {
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    cursor = next;
    for (let i = 0; i < keys.length; i += DEL_BATCH) {
      removed += await redis.del(...keys.slice(i, i + DEL_BATCH));
    }
  } while (cursor !== '0');
  return removed;
}
