import { randomUUID } from 'node:crypto';
import { startOwnRedis, type OwnRedis } from '@keepwatch/test-support/own-redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseLogLine, spawnServer, type ServerProcess } from './helpers/server-process.js';

// The built server against a redis-server of this file's own, which the tests stop, restart and
// freeze: what an operator sees (answers, log lines) when the job queue's Redis goes away.
const token = 'admin-token-outage-0123456789';
let redis: OwnRedis;
let server: ServerProcess;

beforeAll(async () => {
  redis = await startOwnRedis();
  server = await spawnServer({
    KEEPWATCH_SERVER_ADMIN_TOKEN: token,
    KEEPWATCH_REDIS_URL: redis.url,
    KEEPWATCH_REDIS_PREFIX: `kw-test-server-outage-${randomUUID()}:`,
  });
});
afterAll(async () => {
  await server?.stop();
  await redis?.destroy();
});

async function call(
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    ms: Date.now() - started,
  };
}

const startBackup = () => call('/api/backups', { source: 'data' });

function until202(timeoutMs: number): Promise<string> {
  return vi.waitFor(
    async () => {
      const started = await startBackup();
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      return started.body.jobId as string;
    },
    { timeout: timeoutMs, interval: 100 },
  );
}

function expectUnavailable(answer: { status: number; body: Record<string, unknown>; ms: number }, withinMs: number) {
  expect(answer.status).toBe(503);
  expect(answer.body).toMatchObject({ error: 'unavailable', code: 'KW_JOB_QUEUE_UNAVAILABLE' });
  expect(answer.body.message).toMatch(/^the job queue \(Redis\) is unreachable: .*try again once Redis is back/);
  // What ioredis says is for the log, not for the person calling.
  expect(answer.body.message).not.toMatch(/maxRetriesPerRequest|Command timed out|ECONNREFUSED/);
  expect(answer.ms).toBeLessThan(withinMs);
}

describe('the admin API with its Redis down', () => {
  it('answers 503 naming the job queue, at once when Redis is stopped and within 6 s when it is frozen', async () => {
    const jobId = await until202(10_000);

    await redis.stop();
    expectUnavailable(await startBackup(), 1000);
    expectUnavailable(await call(`/api/jobs/${jobId}`), 1000);

    await redis.start();
    const again = await until202(10_000);
    expect((await call(`/api/jobs/${again}`)).body).toMatchObject({ name: 'backup', state: 'waiting' });

    redis.freeze();
    try {
      // The fail-fast client's command timeout (2 s) answers first; the call's own bound is 5 s.
      expectUnavailable(await startBackup(), 6000);
      expectUnavailable(await call(`/api/jobs/${again}`), 6000);
    } finally {
      redis.thaw();
    }
    await until202(10_000);
  }, 60_000);

  it('logs an outage once and its end once, and writes nothing but JSON lines', async () => {
    const from = server.stdout.length;
    const fromErr = server.stderr.length;
    await redis.stop();
    // Long enough for the client to retry several times (its backoff is 200 ms to 2 s) and for
    // BullMQ's queues to see each failed attempt; a request meanwhile uses the queue too.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await startBackup()).status).toBe(503);
    await redis.start();
    await server.waitForMessage('redis reachable again', 10_000, from);
    await until202(10_000);

    const out = server.stdout.slice(from);
    const notJson = [...out, ...server.stderr.slice(fromErr)].filter((line) => parseLogLine(line) === undefined);
    expect(notJson).toEqual([]);
    const messages = out.map((line) => parseLogLine(line)!.msg);
    expect(messages.filter((msg) => msg === 'redis unreachable; retrying')).toHaveLength(1);
    expect(messages.filter((msg) => msg === 'redis reachable again')).toHaveLength(1);
    expect(messages).not.toContain('job queue error');
  }, 60_000);
});
