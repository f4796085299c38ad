import { createHash } from 'node:crypto';
import type { MetricsRedis } from './options.js';
import type { BufferSnapshot } from './series-buffer.js';

/**
 * Applies a snapshot at most once, however often it is sent.
 *
 * A write whose reply is lost (the connection drops after Redis ran it, or ioredis resends
 * unanswered commands after a reconnect) would otherwise count twice when retried. The script
 * first claims the snapshot's id with SET NX: a second delivery finds the claim and changes
 * nothing. Claims of snapshots known to be applied are deleted with the next write, so each
 * process keeps about one claim in Redis; the TTL removes those of processes that died.
 * Lua keeps claim and increments atomic, and every key shares one hash tag (one Cluster slot).
 *
 * KEYS: claim, dropped-counter hash, claims to forget…, family hashes…
 * ARGV: claim TTL ms, dropped, number of claims to forget, then per delta: key index, field,
 *       delta, `i` (HINCRBY) or `f` (HINCRBYFLOAT).
 */
const applyScript = `
local forget = tonumber(ARGV[3])
for i = 1, forget do redis.call('DEL', KEYS[2 + i]) end
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
local dropped = tonumber(ARGV[2])
if dropped > 0 then redis.call('HINCRBY', KEYS[2], '[]', dropped) end
for i = 4, #ARGV, 4 do
  local key = KEYS[tonumber(ARGV[i])]
  if ARGV[i + 3] == 'f' then
    redis.call('HINCRBYFLOAT', key, ARGV[i + 1], ARGV[i + 2])
  else
    redis.call('HINCRBY', key, ARGV[i + 1], ARGV[i + 2])
  end
end
return 1
`;

const applySha = createHash('sha1').update(applyScript).digest('hex');

/** How long a claim outlives a process that died before forgetting it. */
const claimTtlMs = 24 * 3600 * 1000;

export interface SnapshotWrite {
  claimKey: string;
  droppedKey: string;
  /** Claims of earlier snapshots that are known to be applied. */
  forget: readonly string[];
  snapshot: BufferSnapshot;
}

/** Resolves true when applied now, false when an earlier delivery had already applied it. */
export async function writeSnapshot(redis: MetricsRedis, write: SnapshotWrite): Promise<boolean> {
  const keys = [write.claimKey, write.droppedKey, ...write.forget];
  const keyIndex = new Map<string, number>();
  const args: Array<string | number> = [claimTtlMs, write.snapshot.dropped, write.forget.length];
  for (const d of write.snapshot.deltas) {
    let index = keyIndex.get(d.key);
    if (index === undefined) {
      keys.push(d.key);
      index = keys.length; // Lua's KEYS is 1-based
      keyIndex.set(d.key, index);
    }
    args.push(index, d.field, d.delta, d.float ? 'f' : 'i');
  }
  // EVALSHA spares sending the script on every flush (every observation with interval 0); a
  // Redis that has not seen it yet (fresh start, failover, SCRIPT FLUSH) gets it once by EVAL.
  let applied: unknown;
  try {
    applied = await redis.evalsha(applySha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
    applied = await redis.eval(applyScript, keys.length, ...keys, ...args);
  }
  return applied === 1;
}
