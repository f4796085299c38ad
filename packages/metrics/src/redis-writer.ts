import { createHash } from 'node:crypto';
import type { MetricsRedis } from './options.js';
import type { BufferSnapshot } from './series-buffer.js';

/**
 * One command of a write, beyond a snapshot's own hash writes (`i`, `f`, `s`, `x`, `n`; see
 * `SlotOp`): `e` sets the key's TTL to `value` ms, `z` adds `field` to the sorted set `key` with
 * score `value`, `r` removes the members of `key` scored at most `value`.
 */
export interface WriteOp {
  readonly key: string;
  readonly field: string;
  readonly op: 'i' | 'f' | 's' | 'x' | 'n' | 'e' | 'z' | 'r';
  readonly value: number | string;
}

/**
 * Applies a snapshot at most once, however often it is sent.
 *
 * A write whose reply is lost (the connection drops after Redis ran it, or ioredis resends
 * unanswered commands after a reconnect) would otherwise count twice when retried. The script
 * first claims the snapshot's id with SET NX: a second delivery finds the claim and changes
 * nothing. Claims of snapshots known to be applied are deleted with the next write, so each
 * process keeps about one claim in Redis; the TTL removes those of processes that died.
 * Lua keeps claim and writes atomic, and every key shares one hash tag (one Cluster slot).
 *
 * KEYS: claim, claims to forget…, then the keys written.
 * ARGV: claim TTL ms, number of claims to forget, then per op: key index, field, op, value.
 */
const applyScript = `
local forget = tonumber(ARGV[2])
for i = 1, forget do redis.call('DEL', KEYS[1 + i]) end
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
for i = 3, #ARGV, 4 do
  local key = KEYS[tonumber(ARGV[i])]
  local field = ARGV[i + 1]
  local op = ARGV[i + 2]
  local value = ARGV[i + 3]
  if op == 'i' then
    redis.call('HINCRBY', key, field, value)
  elseif op == 'f' then
    redis.call('HINCRBYFLOAT', key, field, value)
  elseif op == 's' then
    redis.call('HSET', key, field, value)
  elseif op == 'x' or op == 'n' then
    local stored = tonumber(redis.call('HGET', key, field))
    local new = tonumber(value)
    if stored == nil or (op == 'x' and new > stored) or (op == 'n' and new < stored) then
      redis.call('HSET', key, field, value)
    end
  elseif op == 'e' then
    redis.call('PEXPIRE', key, value)
  elseif op == 'z' then
    redis.call('ZADD', key, value, field)
  elseif op == 'r' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', value)
  end
end
return 1
`;

const applySha = createHash('sha1').update(applyScript).digest('hex');

/** How long a claim outlives a process that died before forgetting it. */
const claimTtlMs = 24 * 3600 * 1000;

export interface SnapshotWrite {
  claimKey: string;
  /** The `<ns>_metrics_dropped_observations_total` hash. */
  droppedKey: string;
  /** Claims of earlier snapshots that are known to be applied. */
  forget: readonly string[];
  snapshot: BufferSnapshot;
  /** Writes that go with this attempt (families' metadata, a TTL), applied under the same claim. */
  extra?: readonly WriteOp[];
}

/** Resolves true when applied now, false when an earlier delivery had already applied it. */
export async function writeSnapshot(redis: MetricsRedis, write: SnapshotWrite): Promise<boolean> {
  const keys = [write.claimKey, ...write.forget];
  const keyIndex = new Map<string, number>();
  const args: Array<string | number> = [claimTtlMs, write.forget.length];
  const push = (key: string, field: string, op: WriteOp['op'], value: number | string): void => {
    let index = keyIndex.get(key);
    if (index === undefined) {
      keys.push(key);
      index = keys.length; // Lua's KEYS is 1-based
      keyIndex.set(key, index);
    }
    args.push(index, field, op, value);
  };
  const { snapshot } = write;
  for (const d of snapshot.deltas) push(d.key, d.field, d.op, d.value);
  if (snapshot.dropped > 0) push(write.droppedKey, '["buffer"]', 'i', snapshot.dropped);
  if (snapshot.droppedCardinality > 0) push(write.droppedKey, '["cardinality"]', 'i', snapshot.droppedCardinality);
  for (const op of write.extra ?? []) push(op.key, op.field, op.op, op.value);
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
