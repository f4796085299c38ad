import { Redis } from 'ioredis';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createMetricsExposition, createMetricsStore } from '../src/index.js';
import { logLines } from '@keepwatch/test-support/log-lines';
import { freePort } from '@keepwatch/test-support/net';

/** A pino logger writing into an array of parsed lines, as a log shipper would read them. */
function capture(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const { stream, lines } = logLines();
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('logging', () => {
  it('says once that Redis is unreachable, however many flushes fail, and never logs the passphrase', async () => {
    const { logger, lines } = capture();
    // Nothing listens on this port: every write fails at once.
    const redis = new Redis({
      host: '127.0.0.1',
      port: await freePort(),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    redis.on('error', () => undefined);
    const store = createMetricsStore({
      redis,
      keyPrefix: 'test:metrics:logging:',
      processMetrics: false,
      flushIntervalMs: 3_600_000,
      timeoutMs: 500,
      logger,
    });
    const passphrase = 'correct horse battery staple';
    const exposition = createMetricsExposition({ store, user: 'prometheus', passphrase, logger });
    try {
      for (let i = 0; i < 5; i++) {
        store.observeView({ urlName: '/x', method: 'GET', statusCode: 200, durationSeconds: 0.01 });
        expect(await store.flush()).toBe(false);
      }
      const scrape = await exposition.scrape({
        authorization: `Basic ${Buffer.from(`prometheus:${passphrase}`).toString('base64')}`,
      });
      expect(scrape.status).toBe(503);

      const warnings = lines.filter((l) => l.msg === 'metrics: cannot write to Redis, keeping observations in memory');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.level).toBe(40);
      expect(typeof warnings[0]!.err).toBe('string');
      expect(lines.some((l) => l.msg === 'metrics: scrape failed')).toBe(true);
      expect(JSON.stringify(lines)).not.toContain(passphrase);
    } finally {
      await store.close();
      redis.disconnect();
    }
  });
});
