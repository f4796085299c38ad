import type { MetricsRedis } from './options.js';
import type { BufferSnapshot } from './series-buffer.js';

/**
 * Sends a snapshot as one MULTI: either every delta lands or none does, so a failed flush can
 * be put back in the buffer without counting anything twice.
 */
export async function writeSnapshot(redis: MetricsRedis, snapshot: BufferSnapshot, droppedKey: string): Promise<void> {
  const multi = redis.multi();
  for (const d of snapshot.deltas) {
    if (d.float) multi.hincrbyfloat(d.key, d.field, d.delta);
    else multi.hincrby(d.key, d.field, d.delta);
  }
  if (snapshot.dropped > 0) multi.hincrby(droppedKey, '[]', snapshot.dropped);
  const results = await multi.exec();
  if (results === null) throw new Error('metrics flush transaction was aborted');
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
}
