import { afterAll, describe, expect, it } from 'vitest';
import { createSourceLock } from '../src/bullmq.js';
import { BackupBusyError, BackupLockLostError } from '../src/index.js';
import { testRedis } from './helpers/redis.js';

describe('source lock', () => {
  const { redis, prefix, cleanup } = testRedis('lock');
  afterAll(cleanup);

  it('lets one holder in at a time; a second waits, then gives up with a retryable error', async () => {
    const lock = createSourceLock({ redis, prefix, ttlMs: 5000, retryIntervalMs: 50 });
    const held = await lock.acquire('database');
    const started = Date.now();
    const error = await lock.acquire('database', { waitMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupBusyError);
    expect((error as BackupBusyError).retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    // Another source is not blocked.
    const other = await lock.acquire('data');
    await other.release();
    await held.release();
    const again = await lock.acquire('database');
    await again.release();
  });

  it('a waiter gets the lock as soon as the holder releases it', async () => {
    const lock = createSourceLock({ redis, prefix, ttlMs: 5000, retryIntervalMs: 50 });
    const held = await lock.acquire('database');
    setTimeout(() => void held.release(), 200);
    const next = await lock.acquire('database', { waitMs: 3000 });
    await next.release();
  });

  it('a holder that died stops blocking once its TTL runs out', async () => {
    const dead = testRedis('lock-dead');
    const deadLock = createSourceLock({ redis: dead.redis, prefix, ttlMs: 1000 });
    await deadLock.acquire('database');
    dead.redis.disconnect(); // no more renewals, as if the worker were killed
    const lock = createSourceLock({ redis, prefix, ttlMs: 1000, retryIntervalMs: 100 });
    const started = Date.now();
    const held = await lock.acquire('database', { waitMs: 5000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    await held.release();
  });

  it('renews while held, and tells the holder when the lock was taken from it', async () => {
    const lock = createSourceLock({ redis, prefix, ttlMs: 1000 });
    const result = await lock.run('database', async (signal) => {
      await new Promise((resolve) => setTimeout(resolve, 1500)); // longer than the TTL: renewal works
      expect(signal.aborted).toBe(false);
      await redis.set(`${prefix}backup:lock:database`, 'someone else');
      await new Promise((resolve) => setTimeout(resolve, 600));
      return signal.reason;
    });
    expect(result).toBeInstanceOf(BackupLockLostError);
    // Release did not delete the other holder's key.
    expect(await redis.get(`${prefix}backup:lock:database`)).toBe('someone else');
    await redis.del(`${prefix}backup:lock:database`);
  });
});
