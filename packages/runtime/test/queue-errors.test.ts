import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logQueueErrors } from '../src/queue-errors.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});
afterAll(async () => {
  await redis.quit();
});

describe('logQueueErrors', () => {
  it("logs a Redis error reply's kind and message, never the command's arguments (a script and job data)", async () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n')));
    const queue = new EventEmitter();
    logQueueErrors(queue, redis, pino({}, out), { queue: 'backup' });

    // What ioredis hands BullMQ when Redis answers a script with an error.
    const reply = Object.assign(new Error("CROSSSLOT Keys in request don't hash to the same slot"), {
      name: 'ReplyError',
      command: {
        name: 'evalsha',
        args: ['--[[ a BullMQ script ]] local x = 1', 'kw:bull:backup:1', '{"secret":"job-data"}'],
      },
    });
    queue.emit('error', reply);
    queue.emit('error', reply); // the same message again: not logged twice
    await new Promise((resolve) => setImmediate(resolve));

    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ msg: 'job queue error', queue: 'backup', error: { type: 'ReplyError' } });
    expect(entry.error.message).toContain('CROSSSLOT');
    expect(lines[0]).not.toContain('job-data');
    expect(lines[0]).not.toContain('BullMQ script');
  });
});
